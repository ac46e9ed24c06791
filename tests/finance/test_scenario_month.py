"""A generated month end to end through finance, without Dagster: what the journals recognise
equals what the bookings say independently, every day rolls forward, and the parallel run finds
exactly the mistakes planted in the scenario's manual journals."""

from __future__ import annotations

from datetime import date

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.demo.revenue import expected_fils
from ez_pipelines.finance.documents import InvoicingPolicy, refresh_documents
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.parallel_run import compare
from ez_pipelines.finance.rollforward import roll_forward
from ez_pipelines.sandbox.scenario import apply_phase, generate_month
from ez_pipelines.sandbox.scenario_manual_journals import manual_journals, month_days
from ez_pipelines.sandbox.scenario_payments import apply_payments, plan_payments
from tests.finance.helpers import NOW, confirm_refunds

MONTH = date(2026, 11, 1)


@pytest.mark.slow
def test_a_month_recognises_what_the_bookings_say_and_the_planted_differences_are_found(
    sqlite_db: Database,
) -> None:
    scenario = generate_month(11, MONTH, customers=120)
    for phase in (1, 2):
        apply_phase(sqlite_db, scenario, phase, now=NOW)
        apply_payments(sqlite_db, plan_payments(scenario, phase), now=NOW)
        confirm_refunds(sqlite_db)
        refresh_documents(sqlite_db, InvoicingPolicy(), now=NOW)

    results = [recognise_day(sqlite_db, day, max_lines=40, now=NOW) for day in month_days(MONTH)]

    assert sum(r.recognised_minor for r in results) == expected_fils(sqlite_db, MONTH)
    assert all(j.balanced for r in results for j in r.journals)
    assert any(len(r.journals) > 1 for r in results)
    for day in month_days(MONTH):
        report = roll_forward(sqlite_db, day)
        assert report.identity_holds and report.ended_at_zero, day
        assert report.invoice_mismatches == [], day
    lines, planted = manual_journals(
        scenario, vat_rate_bp=500, deferred_account="2410", revenue_account="4010"
    )
    run = compare(
        sqlite_db, lines, deferred_account="2410", revenue_account="4010", tolerance_minor=1
    )
    found = {(d.day, d.booking_id, d.account) for d in run.differences}
    wanted = {(p.day, p.booking_id, account) for p in planted for account in p.accounts}
    assert found == wanted
    assert [p.kind for p in planted] == ["typo", "missing", "extra"]
