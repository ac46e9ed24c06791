"""Recording an inbound event: stored once per (system, event id), decided by the database."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.store import record_event
from tests.conftest import T0
from tests.ops.webhook_checkout import stored


def _event(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "system": "checkout",
        "event_id": "evt_C1",
        "event_type": "payment_captured",
        "occurred_at": T0 - timedelta(seconds=2),
        "body": b'{"id":"evt_C1"}',
        "received_at": T0,
        "status": "received",
    }
    return {**values, **changes}


def _record(db: Database, **changes: Any) -> bool:
    with db.write() as session:
        return record_event(session, **_event(**changes))


def test_first_delivery_is_stored_and_a_later_one_changes_nothing(db: Database) -> None:
    assert _record(db) is True
    assert (
        _record(
            db,
            event_type="payment_refunded",
            body=b"other bytes",
            received_at=T0 + timedelta(seconds=30),
            status="unknown",
        )
        is False
    )

    [row] = stored(db)
    assert (row.event_type, row.body, row.status) == (
        "payment_captured",
        b'{"id":"evt_C1"}',
        "received",
    )
    assert row.received_at == T0
    assert row.occurred_at == T0 - timedelta(seconds=2)
    assert row.attempts == 0


def test_same_event_id_from_another_system_is_another_event(db: Database) -> None:
    assert _record(db, system="checkout") is True
    assert _record(db, system="hubspot") is True

    assert sorted(r.system for r in stored(db)) == ["checkout", "hubspot"]


def test_five_writers_racing_on_one_event_store_it_once(db: Database) -> None:
    start = threading.Barrier(5)

    def deliver(_: int) -> bool:
        start.wait(timeout=10)
        return _record(db)

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(deliver, range(5)))

    assert sorted(outcomes) == [False, False, False, False, True]
    assert len(stored(db)) == 1


def test_a_status_outside_the_inbox_vocabulary_is_refused(sqlite_db: Database) -> None:
    with pytest.raises(ValueError, match="inbox status 'stored'"):
        _record(sqlite_db, status="stored")

    assert stored(sqlite_db) == []
