"""On SQLite, read-then-write transactions must begin IMMEDIATE.

A DEFERRED transaction takes its snapshot at the first read. When another writer commits first,
SQLite cannot let the stale reader write, and refuses at once with "database is locked": the busy
timeout never applies. Beginning IMMEDIATE takes the write lock up front, so writers queue instead.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from ez_pipelines.canonical.db import SQLITE_BUSY_TIMEOUT_S, Database
from ez_pipelines.canonical.leads import LeadInput, record_lead_contact
from ez_pipelines.canonical.models import Lead
from ez_pipelines.clock import ManualClock

LEAD = LeadInput("whatsapp", "wamid-sender-971501234567", "Sara Q", phone="971501234567")


def add_lead(db: Database, clock: ManualClock) -> None:
    with db.write() as session:
        record_lead_contact(session, LEAD, now=clock.now(), default_region="AE")


def message_count(db: Database) -> int:
    with db.read() as session:
        return session.scalars(select(Lead.message_count)).one()


def test_deferred_read_then_write_fails_at_once_despite_the_busy_timeout(
    sqlite_db: Database, clock: ManualClock
) -> None:
    add_lead(sqlite_db, clock)

    with sqlite_db.read() as first, sqlite_db.read() as second:
        first.scalars(select(Lead)).one().message_count += 1
        lead_seen_by_second = second.scalars(select(Lead)).one()
        first.commit()

        lead_seen_by_second.message_count += 1
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            second.flush()
        elapsed = time.monotonic() - started

    assert SQLITE_BUSY_TIMEOUT_S == 5.0
    assert elapsed < 1.0, "the refusal is immediate, not a timeout"


def test_immediate_read_then_write_transactions_both_commit(
    sqlite_db: Database, clock: ManualClock
) -> None:
    add_lead(sqlite_db, clock)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def contact_again() -> None:
        try:
            barrier.wait()
            with sqlite_db.write() as session:
                lead = session.scalars(select(Lead)).one()
                time.sleep(0.1)  # widen the window between the read and the write
                lead.message_count += 1
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=contact_again) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert message_count(sqlite_db) == 3


def test_eight_concurrent_lead_upserts_all_succeed(sqlite_db: Database, clock: ManualClock) -> None:
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def upsert() -> None:
        try:
            barrier.wait()
            with sqlite_db.write() as session:
                record_lead_contact(session, LEAD, now=clock.now(), default_region="AE")
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=upsert) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    with sqlite_db.read() as session:
        leads = list(session.scalars(select(Lead)))
    assert len(leads) == 1
    assert leads[0].message_count == 8
    assert leads[0].phone == "+971501234567"
