"""The web service's writer: one thread on SQLite committing what has queued up together."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.store import record_event
from ez_pipelines.ops.web.writer import StoreWriter
from tests.conftest import T0
from tests.ops.webhook_checkout import stored


def _record(event_id: str) -> Any:
    def work(session: Session) -> bool:
        return record_event(
            session,
            system="checkout",
            event_id=event_id,
            event_type="payment_captured",
            occurred_at=None,
            body=event_id.encode(),
            received_at=T0,
            status="received",
        )

    return work


def _failing(session: Session) -> bool:
    raise RuntimeError("this write cannot be made")


def test_one_failing_write_in_a_group_fails_alone(sqlite_db: Database) -> None:
    writer = StoreWriter(sqlite_db)
    gate = threading.Event()

    def held(session: Session) -> bool:
        # Keeps the writer busy so that the next three writes queue up and commit as one group.
        gate.wait(timeout=10)
        return _record("evt_first")(session)  # type: ignore[no-any-return]

    async def scenario() -> list[Any]:
        first = asyncio.ensure_future(writer.write(held))
        await asyncio.sleep(0.05)
        queued = [
            asyncio.ensure_future(writer.write(work))
            for work in (_record("evt_a"), _failing, _record("evt_b"))
        ]
        await asyncio.sleep(0.05)
        gate.set()
        return await asyncio.gather(first, *queued, return_exceptions=True)

    try:
        first, a, failed, b = asyncio.run(scenario())
    finally:
        writer.close()

    assert (first, a, b) == (True, True, True)
    assert isinstance(failed, RuntimeError)
    assert sorted(row.event_id for row in stored(sqlite_db)) == ["evt_a", "evt_b", "evt_first"]


def test_writer_takes_writes_again_after_being_closed(sqlite_db: Database) -> None:
    writer = StoreWriter(sqlite_db)

    assert asyncio.run(writer.write(_record("evt_1"))) is True
    writer.close()
    assert asyncio.run(writer.write(_record("evt_2"))) is True
    writer.close()

    assert len(stored(sqlite_db)) == 2


@pytest.mark.parametrize(
    ("backend", "threads"),
    [("sqlite", 1), pytest.param("postgres", 4, marks=pytest.mark.postgres)],
)
def test_sqlite_has_one_writer_thread_and_postgres_a_few(
    backend: str, threads: int, request: pytest.FixtureRequest
) -> None:
    db: Database = request.getfixturevalue(f"{backend}_db")

    assert StoreWriter(db).thread_count == threads
