"""Enqueueing: the outbox row commits with the change, and changes coalesce."""

from __future__ import annotations

import pytest

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.tables import PENDING
from tests.outbox.helpers import add_customers, outbox_rows


def test_committed_change_has_one_outbox_row_per_routed_system(
    db: Database, clock: ManualClock
) -> None:
    add_customers(db, 1, clock.now())

    for system in ("netsuite", "hubspot"):
        rows = outbox_rows(db, system)
        assert [(r.record_id, r.status, r.change_seq) for r in rows] == [("C-0000", PENDING, 1)]


def test_rolled_back_change_leaves_no_outbox_row(db: Database, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        upsert_customer(session, CustomerInput("C-1", "Omar", "Saleh"), now=clock.now())
        raise RuntimeError("the caller fails after the change")

    assert outbox_rows(db) == []
    assert outbox_rows(db, "hubspot") == []


def test_repeated_changes_before_sync_coalesce_into_one_row(
    db: Database, clock: ManualClock
) -> None:
    first = clock.now()
    for family_name in ("Saleh", "Salih", "Al Saleh"):
        with db.write() as session:
            upsert_customer(session, CustomerInput("C-1", "Omar", family_name), now=clock.now())
        clock.advance(10)

    (row,) = outbox_rows(db)
    assert row.change_seq == 3
    assert row.enqueued_at == first
    assert row.changed_at == first.replace(second=20)


def test_unchanged_write_queues_nothing(db: Database, clock: ManualClock) -> None:
    add_customers(db, 1, clock.now())
    with db.write() as session:
        upsert_customer(
            session,
            CustomerInput("C-0000", "Layla", "Haddad0", "layla0@example.test"),
            now=clock.now(),
        )

    (row,) = outbox_rows(db)
    assert row.change_seq == 1
