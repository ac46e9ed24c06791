"""Amounts that do not divide by the days: cumulative rounding spreads them to the fils.

A day's amount depends only on the booking and the day, so one day computed alone equals the
same day of the whole schedule, and each day's journal balances exactly.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.journals import build_journals
from ez_pipelines.finance.ledger import compute_day
from ez_pipelines.finance.recognition import BookingTerms, schedule
from ez_pipelines.finance.rental_days import Piece
from tests.finance.helpers import add_booking, dubai, post_days, recognised

MARCH_1 = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("amount_minor", "days"),
    [(10, 11), (100_000, 7), (10_000, 3)],
    ids=["0.10-over-11-days", "1000.00-over-7-days", "100.00-over-3-days"],
)
def test_daily_amounts_sum_to_the_total_and_differ_by_at_most_one_fils(
    amount_minor: int, days: int
) -> None:
    terms = BookingTerms("B-1", "AED", MARCH_1, (Piece(amount_minor, 0, days),), days)

    daily = [schedule(terms)[MARCH_1 + timedelta(days=i)] for i in range(days)]

    assert sum(daily) == amount_minor
    assert max(daily) - min(daily) <= 1
    assert all(amount >= 0 for amount in daily)


@pytest.mark.parametrize(("amount_minor", "days"), [(10, 11), (100_000, 7), (10_000, 3)])
def test_a_day_computed_alone_equals_the_same_day_of_the_posted_schedule(
    sqlite_db: Database, amount_minor: int, days: int
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(MARCH_1), days=days, amount_minor=amount_minor)
    alone = {
        MARCH_1 + timedelta(days=i): compute_day(sqlite_db, MARCH_1 + timedelta(days=i))[0]
        for i in range(days)
    }

    posted = recognised(post_days(sqlite_db, MARCH_1, MARCH_1 + timedelta(days=days - 1)), "B-1")

    assert {day: row.recognised_minor for day, row in alone.items()} == posted
    assert sum(posted.values()) == amount_minor


def test_every_journal_balances_exactly_with_many_odd_amounts(sqlite_db: Database) -> None:
    for i, (amount, days) in enumerate([(10, 11), (100_000, 7), (10_000, 3), (99_999, 9)] * 40):
        add_booking(
            sqlite_db, f"B-{i:03d}", pickup_at=dubai(MARCH_1), days=days, amount_minor=amount
        )

    rows = compute_day(sqlite_db, MARCH_1 + timedelta(days=2))
    journals = build_journals(MARCH_1 + timedelta(days=2), rows, max_lines=50)

    assert len(journals) == 7  # 160 bookings, 25 pairs of lines per journal
    assert all(j.balanced for j in journals)
    assert all(len(j.lines) <= 50 for j in journals)
    assert sum(j.credit_minor for j in journals) == sum(r.recognised_minor for r in rows)
