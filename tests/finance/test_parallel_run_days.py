"""The parallel run compares every day either side speaks of: a day only in finance's CSV, or
only in our ledger, is a difference of its full size."""

from __future__ import annotations

from datetime import date

from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.parallel_run import ManualLine, compare, our_lines
from tests.finance.helpers import add_booking, dubai, post_days


def november(day: int) -> date:
    return date(2026, 11, day)


def test_a_day_on_only_one_side_is_a_difference(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(november(3)), days=2, amount_minor=10_000)
    post_days(sqlite_db, november(3), november(4))
    ours = our_lines(sqlite_db, deferred_account="2410", revenue_account="4010")
    # Finance skipped the 4th and posted a day we never ran, the 9th.
    manual = [
        ManualLine(day, booking, account, max(amount, 0), max(-amount, 0))
        for (day, booking, account), amount in sorted(ours.items())
        if day != november(4)
    ] + [
        ManualLine(november(9), "B-9", "2410", 2_000, 0),
        ManualLine(november(9), "B-9", "4010", 0, 2_000),
    ]

    run = compare(
        sqlite_db, manual, deferred_account="2410", revenue_account="4010", tolerance_minor=1
    )

    assert run.days == (november(3), november(4), november(9))
    assert sorted((d.day, d.booking_id, d.account, d.size_minor) for d in run.differences) == [
        (november(4), "B-1", "2410", 5_000),
        (november(4), "B-1", "4010", 5_000),
        (november(9), "B-9", "2410", 2_000),
        (november(9), "B-9", "4010", 2_000),
    ]
    assert len(run.beyond_tolerance) == 4
