"""Running a posted day again after a booking changed restates nothing a later day builds on.

A change mid-rental (an extension, an early return, a refund) moves only the days not posted
yet. Re-running a day that later posted days follow from gives its journal exactly as posted, and
the later days keep following from it. What the day never held (a booking entered late) updates
its journal under the same external id and leaves an audit row; so does a change re-running the
newest posted day, which nothing builds on yet.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.bookings import extend_booking, record_return
from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.documents import InvoicingPolicy, issue_adjustment, refresh_documents
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.rollforward import roll_forward
from ez_pipelines.finance.tables import RevenueDay, RevenueJournalChange
from tests.finance.helpers import NOW, add_booking, dubai, post_days

POLICY = InvoicingPolicy()


def march(day: int) -> date:
    return date(2024, 3, day)


def ledger(db: Database) -> dict[tuple[str, date], tuple[int, int, int, int]]:
    with db.read() as session:
        return {
            (r.booking_id, r.day): (
                r.opening_minor,
                r.recognised_minor,
                r.refunded_minor,
                r.closing_minor,
            )
            for r in session.scalars(select(RevenueDay))
        }


def goodwill(db: Database, amount_minor: int, on: date) -> None:
    with db.write() as session:
        issue_adjustment(
            session,
            note_id=f"ADJ-{on:%d}",
            booking_id="B-1",
            amount_minor=amount_minor,
            description="goodwill",
            policy=POLICY,
            now=dubai(on, 12),
        )


def early_return(db: Database, amount_minor: int, on: date) -> None:
    with db.write() as session:
        record_return(session, "B-1", returned_at=dubai(on), now=dubai(on))
    goodwill(db, amount_minor, on)


def extension(db: Database, amount_minor: int, on: date) -> None:
    with db.write() as session:
        extend_booking(
            session, "B-1", extended_to=dubai(march(10)), amount_minor=amount_minor, now=dubai(on)
        )


@pytest.mark.parametrize(
    "change",
    [
        lambda db: goodwill(db, 10_000, march(5)),
        lambda db: early_return(db, 5_000, march(5)),
        lambda db: extension(db, 30_000, march(4)),
    ],
    ids=["partial refund", "early return with a refund", "extension"],
)
def test_rerunning_a_day_after_a_later_change_gives_the_journal_as_posted(
    sqlite_db: Database, change: object
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(march(1)), days=7, amount_minor=70_000)
    refresh_documents(sqlite_db, POLICY, now=NOW)
    post_days(sqlite_db, march(1), march(4))
    before = ledger(sqlite_db)
    change(sqlite_db)  # type: ignore[operator]

    again = [recognise_day(sqlite_db, march(d), max_lines=500, now=NOW) for d in (2, 1, 3)]

    assert all(r.unchanged and not (r.updated or r.created or r.withdrawn) for r in again)
    assert ledger(sqlite_db) == before
    assert all(roll_forward(sqlite_db, march(d)).identity_holds for d in range(1, 5))
    with sqlite_db.read() as session:
        assert list(session.scalars(select(RevenueJournalChange))) == []


def test_rerunning_the_newest_posted_day_after_a_refund_updates_it_with_an_audit_row(
    sqlite_db: Database,
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(march(1)), days=7, amount_minor=70_000)
    refresh_documents(sqlite_db, POLICY, now=NOW)
    post_days(sqlite_db, march(1), march(4))
    before = ledger(sqlite_db)
    goodwill(sqlite_db, 9_000, march(3))

    fourth = recognise_day(sqlite_db, march(4), max_lines=500, now=NOW)

    # 9,000 of the 40,000 still deferred goes back; the rest spreads over the four days left.
    assert fourth.updated == ["REVREC-AED-20240304-01"]
    after = ledger(sqlite_db)
    assert {k: v for k, v in after.items() if k[1] < march(4)} == {
        k: v for k, v in before.items() if k[1] < march(4)
    }
    assert after[("B-1", march(4))] == (40_000, 7_750, 9_000, 23_250)
    assert roll_forward(sqlite_db, march(4)).identity_holds
    with sqlite_db.read() as session:
        [audit] = session.scalars(select(RevenueJournalChange))
    assert (audit.journal_id, audit.old_credit_minor, audit.new_credit_minor) == (
        "REVREC-AED-20240304-01",
        10_000,
        7_750,
    )


def test_a_booking_entered_late_updates_the_posted_day_and_audits_it(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(march(1)), days=7, amount_minor=70_000)
    post_days(sqlite_db, march(1), march(3))
    add_booking(sqlite_db, "B-2", pickup_at=dubai(march(2), 8), days=1, amount_minor=5_000)

    again = recognise_day(sqlite_db, march(2), max_lines=500, now=NOW)

    assert again.updated == ["REVREC-AED-20240302-01"]
    with sqlite_db.read() as session:
        [audit] = session.scalars(select(RevenueJournalChange))
    assert (audit.old_credit_minor, audit.new_credit_minor) == (10_000, 15_000)
    assert ledger(sqlite_db)[("B-1", march(3))] == (50_000, 10_000, 0, 40_000)
