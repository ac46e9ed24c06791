"""Posting a day again: the same journals when nothing changed, an update and an audit row when
an input did, and a withdrawn journal when a day needs fewer."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.rollforward import roll_forward
from ez_pipelines.finance.tables import RevenueJournal, RevenueJournalChange
from tests.finance.helpers import NOW, add_booking, dubai

DAY = date(2026, 11, 5)


def test_posting_a_day_twice_changes_nothing_and_queues_nothing_new(db: Database) -> None:
    add_booking(db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=30_000)
    first = recognise_day(db, DAY, max_lines=500, now=NOW)

    second = recognise_day(db, DAY, max_lines=500, now=NOW)

    assert first.created == ["REVREC-AED-20261105-01"]
    assert second.unchanged == ["REVREC-AED-20261105-01"]
    assert (second.created, second.updated, second.withdrawn) == ([], [], [])


def test_a_booking_entered_late_updates_the_journal_and_the_audit_keeps_both_versions(
    db: Database,
) -> None:
    add_booking(db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=30_000)
    recognise_day(db, DAY, max_lines=500, now=NOW)
    add_booking(db, "B-2", pickup_at=dubai(DAY, 8), days=1, amount_minor=5_000)

    again = recognise_day(db, DAY, max_lines=500, now=NOW)

    assert again.updated == ["REVREC-AED-20261105-01"]
    with db.read() as session:
        [change] = session.scalars(select(RevenueJournalChange))
        journal = session.get(RevenueJournal, "REVREC-AED-20261105-01")
    assert (change.change, change.old_credit_minor, change.new_credit_minor) == (
        "updated",
        10_000,
        15_000,
    )
    assert journal is not None and journal.credit_minor == 15_000


def test_a_day_that_needs_fewer_journals_withdraws_the_extra_one(db: Database) -> None:
    for i in range(3):
        add_booking(db, f"B-{i}", pickup_at=dubai(DAY), days=2, amount_minor=2_000)
    split = recognise_day(db, DAY, max_lines=4, now=NOW)

    again = recognise_day(db, DAY, max_lines=6, now=NOW)

    assert [len(j.lines) for j in split.journals] == [4, 2]
    assert again.withdrawn == ["REVREC-AED-20261105-02"]
    with db.read() as session:
        statuses = dict(session.execute(select(RevenueJournal.id, RevenueJournal.status)).all())
    assert statuses["REVREC-AED-20261105-02"] == "withdrawn"


def test_the_roll_forward_holds_per_booking_and_ends_at_zero(db: Database) -> None:
    add_booking(db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=10_000)
    for offset in range(4):
        recognise_day(db, date(2026, 11, 5 + offset), max_lines=500, now=NOW)

    middle = roll_forward(db, date(2026, 11, 6))
    last = roll_forward(db, date(2026, 11, 7))

    assert (middle.opening_minor, middle.recognised_minor, middle.closing_minor) == (
        6_667,
        3_333,
        3_334,
    )
    assert middle.identity_holds and last.identity_holds
    assert last.closing_minor == 0 and last.ended_at_zero
    # Without an invoice, the ledger's invoiced amount is not vouched for.
    assert last.invoice_mismatches == ["B-1: ledger invoiced 10000, invoices say 0"]


def test_a_canceled_booking_posts_nothing(db: Database) -> None:
    add_booking(db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=30_000)
    with db.write() as session:
        booking = session.get(Booking, "B-1")
        assert booking is not None
        booking.status = "canceled"

    result = recognise_day(db, DAY, max_lines=500, now=NOW)

    assert (result.rows, result.journals) == ([], [])
