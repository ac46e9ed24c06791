"""The health page, the dead-letter page with its retry and discard, and `/metrics`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.outbox.tables import DEAD, DISCARDED, PENDING, OutboxRow
from ez_pipelines.settings import Settings
from tests.outbox.helpers import add_customers


@pytest.fixture
def client(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    app = create_ops_app(Settings.from_env({"EZ_HOME": str(tmp_path)}), sqlite_db, clock=clock)
    with TestClient(app) as test_client:
        yield test_client
    app.state.writer.close()


def dead_letters(db: Database, count: int) -> list[int]:
    with db.write() as session:
        rows = session.query(OutboxRow).filter_by(system="netsuite").limit(count).all()
        for row in rows:
            row.status, row.dead_reason = DEAD, "400 email layla0@example.test is invalid"
        return [row.id for row in rows]


def status_of(db: Database, outbox_id: int) -> str:
    with db.read() as session:
        row = session.get(OutboxRow, outbox_id)
        assert row is not None
        return row.status


def test_the_page_shows_a_tile_per_integration_and_the_dead_letters(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    [letter] = dead_letters(sqlite_db, 1)

    page = client.get("/health")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for name, status in (("netsuite", "red"), ("hubspot", "green"), ("checkout", "green")):
        assert f'data-integration="{name}" data-status="{status}"' in html
    assert f'href="/health/dead-letters/{letter}"' in html
    assert "dead letters 1 (threshold 0)" in html
    assert "layla0@example.test" not in html and "l***@example.test" in html
    assert "<script" not in html


def test_retry_and_discard_from_the_page(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    first, second = dead_letters(sqlite_db, 2)

    detail = client.get(f"/health/dead-letters/{first}")
    retried = client.post(f"/health/dead-letters/{first}/retry", follow_redirects=False)
    refused = client.post(f"/health/dead-letters/{second}/discard", content="reason=")
    discarded = client.post(
        f"/health/dead-letters/{second}/discard",
        content="reason=duplicate+of+another+customer",
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )

    assert detail.status_code == 200 and "Retry now" in detail.text
    assert (retried.status_code, retried.headers["location"].split("?")[0]) == (303, "/health")
    assert refused.status_code == 422
    assert discarded.status_code == 303
    assert (status_of(sqlite_db, first), status_of(sqlite_db, second)) == (PENDING, DISCARDED)
    assert client.post(f"/health/dead-letters/{first}/retry").status_code == 404


def test_metrics_are_prometheus_text_with_every_integration(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    dead_letters(sqlite_db, 1)

    response = client.get("/metrics")

    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    status = {s.labels["integration"]: s.value for s in families["ez_integration_status"].samples}
    assert status == {
        "netsuite": 2.0, "hubspot": 0.0, "checkout": 0.0, "crisp": 0.0, "whatsapp": 0.0
    }  # fmt: skip
    queue = {
        (s.labels["integration"], s.labels["state"]): s.value
        for s in families["ez_outbox_queue_depth"].samples
    }
    assert queue[("hubspot", "due")] == 3.0 and queue[("netsuite", "due")] == 2.0
    assert "ez_inbound_deliveries" in families
