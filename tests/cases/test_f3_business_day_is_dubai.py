"""The business day is Dubai's, four hours ahead of UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg

from ez_pipelines.assets.finance import REVENUE_DAYS
from ez_pipelines.canonical.db import Database
from ez_pipelines.definitions import defs
from ez_pipelines.finance.journals import build_journals
from ez_pipelines.finance.ledger import compute_day
from ez_pipelines.finance.rental_days import dubai_date
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs, journal_payload
from tests.finance.helpers import add_booking, post_days, recognised

LATE_EVENING_UTC = datetime(2024, 3, 5, 21, 30, tzinfo=UTC)


def test_a_pickup_at_2130_utc_belongs_to_the_next_dubai_day(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=LATE_EVENING_UTC, days=1, amount_minor=10_000)

    assert dubai_date(LATE_EVENING_UTC) == date(2024, 3, 6)
    assert compute_day(sqlite_db, date(2024, 3, 5)) == []
    assert [r.recognised_minor for r in compute_day(sqlite_db, date(2024, 3, 6))] == [10_000]


def test_a_rental_across_dubai_midnight_splits_by_dubai_days(sqlite_db: Database) -> None:
    # Picked up 23:30 Dubai on 5 March for two rental days: the 5th and the 6th carry them.
    add_booking(
        sqlite_db,
        "B-2",
        pickup_at=datetime(2024, 3, 5, 19, 30, tzinfo=UTC),
        days=2,
        amount_minor=20_001,
    )

    daily = recognised(post_days(sqlite_db, date(2024, 3, 4), date(2024, 3, 8)), "B-2")

    assert daily == {date(2024, 3, 5): 10_000, date(2024, 3, 6): 10_001}


def test_a_journal_trandate_is_its_partition_dubai_date(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=LATE_EVENING_UTC, days=1, amount_minor=10_000)
    day = date(2024, 3, 6)

    (journal,) = build_journals(day, compute_day(sqlite_db, day))
    payload = journal_payload(
        journal.day, journal.currency, journal.lines, subsidiary_id="1", refs=FinanceRefs()
    )

    assert payload["tranDate"] == "2024-03-06"
    assert journal.id == "REVREC-AED-20240306-01"


def test_partitions_in_dubai_offer_the_dubai_day_that_just_ended() -> None:
    in_utc = dg.DailyPartitionsDefinition(start_date="2024-03-01")
    in_dubai = dg.DailyPartitionsDefinition(start_date="2024-03-01", timezone=REVENUE_DAYS.timezone)

    assert in_utc.get_partition_keys(current_time=LATE_EVENING_UTC)[-1] == "2024-03-04"
    assert in_dubai.get_partition_keys(current_time=LATE_EVENING_UTC)[-1] == "2024-03-05"
    assert REVENUE_DAYS.timezone == "Asia/Dubai"


def test_the_nightly_schedule_posts_yesterday_shortly_after_dubai_midnight() -> None:
    tick = datetime(2026, 11, 5, 20, 20, tzinfo=UTC)  # 00:20 on 6 November in Dubai
    context = dg.build_schedule_context(scheduled_execution_time=tick)

    schedule = defs.resolve_schedule_def("nightly_revenue_recognition")

    result = schedule.evaluate_tick(context)

    [request] = result.run_requests or []
    assert request.partition_key == "2026-11-05"
    assert schedule.cron_schedule == "20 0 * * *"
    assert schedule.execution_timezone == "Asia/Dubai"
