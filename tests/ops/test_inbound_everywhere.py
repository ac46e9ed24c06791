"""Every webhook route the ops service answers is an inbound integration health reports: a tile
on the page, its figures in `/metrics`, and its rejected and duplicate deliveries counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.demo.health_view import health_json, render_health
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.vendors.registry import SYSTEMS
from tests.ops import lead_deliveries as d
from tests.ops.test_health import THRESHOLDS


@pytest.fixture
def app(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[FastAPI]:
    app = create_ops_app(d.settings_for(tmp_path), sqlite_db, clock=clock)
    yield app
    app.state.writer.close()


def webhook_systems(app: FastAPI) -> set[str]:
    """The systems the service takes webhooks from, as its API document lists the routes."""
    return {
        path.removeprefix("/webhooks/")
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/webhooks/") and "post" in operations
    }


def test_every_webhook_route_is_a_registered_inbound_integration_with_a_tile(
    app: FastAPI,
) -> None:
    systems = webhook_systems(app)

    with TestClient(app) as client:
        page = client.get("/health").text
        metrics = client.get("/metrics").text

    assert systems == set(INBOUND_SYSTEMS) >= {"checkout", "hubspot", "crisp", "whatsapp"}
    families = {f.name: f for f in text_string_to_metric_families(metrics)}
    reported = {s.labels["integration"] for s in families["ez_inbound_deliveries"].samples}
    for system in systems:
        assert f'data-integration="{system}"' in page, system
        assert f'id="inbound-{system}"' in page, system
    assert reported == systems


def test_lead_deliveries_refused_or_repeated_are_counted(
    app: FastAPI, sqlite_db: Database, clock: ManualClock
) -> None:
    raw = d.whatsapp_message("wamid.X1", "971501234567", "Omar", "hello")
    forged = d.whatsapp_headers(raw)
    forged["X-Hub-Signature-256"] = forged["X-Hub-Signature-256"][:-1] + "0"
    chat = d.crisp_message("session_1", "hello", 113, "Sara")

    with TestClient(app) as client:
        answers = [
            client.post("/webhooks/whatsapp", content=raw, headers=d.whatsapp_headers(raw)),
            client.post("/webhooks/whatsapp", content=raw, headers=d.whatsapp_headers(raw)),
            client.post("/webhooks/whatsapp", content=raw, headers=forged),
            client.post("/webhooks/crisp", content=chat, headers={"X-Crisp-Signature": "0"}),
        ]

    by_name = {
        h.integration: h
        for h in integration_health(sqlite_db, now=clock.now(), thresholds=THRESHOLDS)
    }
    whatsapp, crisp = by_name["whatsapp"].inbound, by_name["crisp"].inbound
    assert [a.status_code for a in answers] == [200, 200, 401, 401]
    assert whatsapp is not None and crisp is not None
    assert (whatsapp.received, whatsapp.rejected, whatsapp.duplicate) == (1, 1, 1)
    assert whatsapp.last_received_at == clock.now()
    assert (crisp.received, crisp.rejected, crisp.duplicate) == (0, 1, 0)
    assert by_name["whatsapp"].status == by_name["crisp"].status == "amber"


def test_the_demo_table_and_summary_carry_every_integration_both_ways(
    app: FastAPI, sqlite_db: Database, clock: ManualClock
) -> None:
    raw = d.whatsapp_message("wamid.X1", "971501234567", "Omar", "hello")
    with TestClient(app) as client:
        client.post("/webhooks/whatsapp", content=raw, headers=d.whatsapp_headers(raw))
        client.post("/webhooks/whatsapp", content=raw, headers=d.whatsapp_headers(raw))
    healths = integration_health(sqlite_db, now=clock.now(), thresholds=THRESHOLDS)

    summary = health_json(healths)
    table = render_health(healths)

    assert set(summary) == set(SYSTEMS) | set(INBOUND_SYSTEMS)
    assert summary["whatsapp"]["inbound"] == {
        "received": 1,
        "rejected": 0,
        "duplicate": 1,
        "waiting": 1,
        "last_event": clock.now().isoformat(),
    }
    assert summary["netsuite"]["inbound"] is None
    assert summary["hubspot"]["directions"] == "both"
    whatsapp_row = next(line for line in table.splitlines() if line.startswith("whatsapp"))
    assert "1 / 0 / 1" in whatsapp_row
