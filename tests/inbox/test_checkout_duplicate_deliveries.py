"""Repeated and simultaneous deliveries of one Checkout.com event, over real HTTP, on each
backend: every delivery is acknowledged, one event is stored, one sync follows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.payments.processing import process_events
from ez_pipelines.sandbox.server import BackgroundServer
from tests.conftest import T0
from tests.ops.webhook_checkout import event_body, post, settings_for, signed_headers, stored
from tests.payments.helpers import add_booking_payment, payment, queued

EVT_C1 = event_body(
    "evt_C1",
    "payment_captured",
    reference="P-C1",
    action_id="act_C1",
    balances={"total_authorized": 15000, "total_captured": 15000},
)


@pytest.fixture
def receiver(db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[BackgroundServer]:
    """The ops service on a free loopback port, over SQLite and PostgreSQL."""
    app = create_ops_app(settings_for(tmp_path), db, clock=clock)
    with BackgroundServer(app) as server:
        yield server
    app.state.writer.close()


def test_redelivery_30_seconds_later_is_acknowledged_and_changes_nothing(
    receiver: BackgroundServer, db: Database, clock: ManualClock
) -> None:
    first = post(receiver.base_url, EVT_C1, signed_headers(EVT_C1))
    clock.advance(30)
    second = post(receiver.base_url, EVT_C1, signed_headers(EVT_C1))

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["status"], second.json()["status"]) == ("stored", "duplicate")
    assert second.json()["event_id"] == "evt_C1"
    [row] = stored(db)
    assert (row.event_id, row.body, row.status) == ("evt_C1", EVT_C1, "received")
    assert row.received_at == T0


def test_five_identical_deliveries_at_once_store_one_event(
    receiver: BackgroundServer, db: Database
) -> None:
    start = threading.Barrier(5)

    def deliver(_: int) -> requests.Response:
        start.wait(timeout=10)
        return post(receiver.base_url, EVT_C1, signed_headers(EVT_C1))

    with ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(deliver, range(5)))

    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.json()["status"] for r in responses) == ["duplicate"] * 4 + ["stored"]
    assert len(stored(db)) == 1


def test_five_identical_deliveries_at_once_lead_to_one_payment_sync(
    receiver: BackgroundServer, db: Database, clock: ManualClock
) -> None:
    add_booking_payment(db, "P-C1", 15000, now=clock.now())
    start = threading.Barrier(5)

    def deliver(_: int) -> int:
        start.wait(timeout=10)
        return post(receiver.base_url, EVT_C1, signed_headers(EVT_C1)).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(deliver, range(5))) == [200] * 5
    process_events(db, now=clock.now())
    process_events(db, now=clock.now())

    assert payment(db, "P-C1").captured_minor == 15000
    assert queued(db, "netsuite", "payment_action") == ["act_C1"]
