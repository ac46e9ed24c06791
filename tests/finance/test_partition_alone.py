"""A day recomputed alone, in a store where nothing was posted, equals the same day of a
backfill of the whole month posted day by day, changes and refunds included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ez_pipelines.canonical.bookings import extend_booking, record_return
from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.documents import InvoicingPolicy, issue_adjustment, refresh_documents
from ez_pipelines.finance.ledger import compute_day
from tests.finance.helpers import NOW, add_booking, dubai, post_days


def write_month(db: Database) -> None:
    for i in range(12):
        add_booking(
            db,
            f"B-{i:02d}",
            pickup_at=dubai(date(2026, 11, 1 + 2 * i), 9 + i),
            days=1 + (i * 5) % 9,
            amount_minor=10_001 * (1 + i),
        )
    with db.write() as session:
        extend_booking(
            session, "B-03", extended_to=dubai(date(2026, 11, 20)), amount_minor=7_777, now=NOW
        )
        record_return(session, "B-05", returned_at=dubai(date(2026, 11, 12), 8), now=NOW)
    policy = InvoicingPolicy()
    refresh_documents(db, policy, now=NOW)
    with db.write() as session:
        issue_adjustment(
            session,
            note_id="ADJ-1",
            booking_id="B-05",
            amount_minor=5_000,
            description="goodwill",
            policy=policy,
            now=dubai(date(2026, 11, 12)),
        )


@pytest.mark.parametrize("day", [date(2026, 11, 3), date(2026, 11, 12), date(2026, 11, 19)])
def test_a_day_alone_equals_the_same_day_of_a_backfill(
    sqlite_db: Database, tmp_path_factory: pytest.TempPathFactory, day: date
) -> None:
    write_month(sqlite_db)
    alone = compute_day(sqlite_db, day)

    backfill = post_days(sqlite_db, date(2026, 11, 1), date(2026, 11, 30))

    same_day = next(r for r in backfill if r.day == day)
    assert alone == same_day.rows
    assert alone
    assert sum(r.recognised_minor for r in same_day.rows) > 0
    assert day - timedelta(days=1) >= date(2026, 11, 1)
