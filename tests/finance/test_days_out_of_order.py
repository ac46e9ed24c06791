"""Days posted out of order roll forward the same as days posted in order.

A backfill runs partitions in any order: a day posted before the day before it computes that
earlier day on the way, and posting it later gives the same row, so every opening is the
previous day's closing and the roll-forward identity holds to the fils, refunds included.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.documents import InvoicingPolicy, issue_adjustment, refresh_documents
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.rollforward import roll_forward
from tests.finance.helpers import NOW, add_booking, dubai
from tests.finance.test_rerun_a_posted_day import ledger

POLICY = InvoicingPolicy()


@pytest.fixture
def in_order(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A second store, posted day after day, to compare with."""
    path = tmp_path / "in-order.db"
    shutil.copy(sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    yield db
    db.dispose()


def november(day: int) -> date:
    return date(2026, 11, day)


def write_bookings(db: Database) -> None:
    add_booking(db, "B-1", pickup_at=dubai(november(1)), days=4, amount_minor=10_001)
    add_booking(db, "B-2", pickup_at=dubai(november(2)), days=3, amount_minor=7_000)
    refresh_documents(db, POLICY, now=NOW)
    with db.write() as session:
        issue_adjustment(
            session,
            note_id="ADJ-B-2",
            booking_id="B-2",
            amount_minor=1_000,
            description="goodwill",
            policy=POLICY,
            now=dubai(november(3)),
        )


@pytest.mark.parametrize("order", [(3, 1, 5, 2, 4), (5, 4, 3, 2, 1), (2, 4, 1, 5, 3)])
def test_days_posted_out_of_order_equal_days_posted_in_order(
    sqlite_db: Database, in_order: Database, order: tuple[int, ...]
) -> None:
    write_bookings(sqlite_db)
    write_bookings(in_order)
    for day in range(1, 6):
        recognise_day(in_order, november(day), max_lines=500, now=NOW)

    for day in order:
        recognise_day(sqlite_db, november(day), max_lines=500, now=NOW)

    assert ledger(sqlite_db) == ledger(in_order)
    for day in range(1, 6):
        report = roll_forward(sqlite_db, november(day))
        assert report.identity_holds and report.ended_at_zero, day
    assert roll_forward(sqlite_db, november(5)).closing_minor == 0


def test_a_day_rolled_forward_before_the_day_before_it_is_posted_holds(
    sqlite_db: Database,
) -> None:
    write_bookings(sqlite_db)

    reports = {}
    for day in (3, 1, 2):
        recognise_day(sqlite_db, november(day), max_lines=500, now=NOW)
        reports[day] = roll_forward(sqlite_db, november(day))

    assert all(r.identity_holds for r in reports.values()), {
        d: r.identity_breaks for d, r in reports.items()
    }
    # Once the 2nd is posted, its roll-forward vouches for the link to the 3rd as well.
    assert reports[2].next_day_checked


def test_a_next_day_that_no_longer_follows_is_a_break(sqlite_db: Database) -> None:
    write_bookings(sqlite_db)
    recognise_day(sqlite_db, november(3), max_lines=500, now=NOW)
    add_booking(sqlite_db, "B-3", pickup_at=dubai(november(2)), days=3, amount_minor=3_000)

    recognise_day(sqlite_db, november(2), max_lines=500, now=NOW)
    second = roll_forward(sqlite_db, november(2))

    # B-3 was entered after the 3rd was posted without it: the 3rd does not follow the 2nd.
    assert not second.identity_holds
    assert any(b.startswith("B-3") for b in second.identity_breaks)
