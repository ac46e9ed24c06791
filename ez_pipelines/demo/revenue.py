"""The demo's finance steps: documents, a month of revenue reconciled and posted partition by
partition, the parallel run, and the figures that say whether every fils is accounted for.

`expected_fils` is computed here from the bookings with arithmetic of its own (whole rental
days counted on the calendar, each price spread over its days), not through the recognition
code it checks.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ez_pipelines.assets.keys import PARALLEL_RUN
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, Invoice
from ez_pipelines.demo.driver import QUIET, Driver
from ez_pipelines.finance.parallel_run import write_manual_journals
from ez_pipelines.finance.tables import CreditNote, RevenueJournal, RevenuePartition
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.scenario_manual_journals import (
    PlantedDifference,
    manual_journals,
    month_days,
)
from ez_pipelines.sandbox.scenario_model import Scenario
from ez_pipelines.settings import Settings

DUBAI = ZoneInfo("Asia/Dubai")


def write_scenario_manual_journals(
    scenario: Scenario, settings: Settings, path: Path
) -> list[PlantedDifference]:
    finance = settings.finance
    lines, planted = manual_journals(
        scenario,
        vat_rate_bp=finance.vat_rate_bp,
        deferred_account=finance.deferred_revenue_account,
        revenue_account=finance.rental_revenue_account,
    )
    write_manual_journals(path, lines)
    return planted


def post_month(driver: Driver, month: date) -> int:
    """Reconcile, then post, every day of `month`, in order, as the nightly schedules do: a
    day's journal posts only once its reconciliation passed. Returns the days that failed."""
    reconcile = driver.defs.resolve_job_def("payments_reconciliation")
    post = driver.defs.resolve_job_def("revenue_recognition")
    failed = 0
    for day in month_days(month):
        for job in (reconcile, post):
            result = job.execute_in_process(
                instance=driver.instance,
                partition_key=day.isoformat(),
                run_config=QUIET,
                raise_on_error=False,
                tags={"ez/started_by": "demo"},
            )
            if not result.success:
                failed += 1
                break
    driver.echo(f"  {len(month_days(month))} days reconciled and posted, {failed} failed")
    return failed


def run_parallel_run(driver: Driver) -> dict[str, Any]:
    job = driver.defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=driver.instance, asset_selection=[PARALLEL_RUN], run_config=QUIET
    )
    (event,) = result.asset_materializations_for_node("finance__parallel_run")
    values = {name: value.value for name, value in event.metadata.items()}
    driver.echo(f"  parallel run: {values.get('differences', 0)} differences listed")
    return values


def expected_fils(db: Database, month: date) -> int:
    """What the month should recognise, from the bookings and their credit notes alone."""
    first, last = month_days(month)[0], month_days(month)[-1]
    with db.read() as session:
        bookings = list(session.scalars(select(Booking).where(Booking.status != "canceled")))
        given_back: dict[str, int] = defaultdict(int)
        for note in session.scalars(select(CreditNote).where(CreditNote.kind != "cancellation")):
            given_back[note.booking_id] += note.amount_minor
    return sum(
        _recognised_by(b, last, given_back[b.id])
        - _recognised_by(b, first - timedelta(days=1), given_back[b.id])
        for b in bookings
    )


def _recognised_by(booking: Booking, day: date, given_back: int) -> int:
    """A booking's revenue recognised by the end of `day`: all of it, less what was given back,
    once its last rental day has passed; otherwise each price's share of its days gone by."""
    spans = _price_spans(booking)
    rental_days = spans[-1][1] + spans[-1][2]
    if booking.returned_at is not None:
        rental_days = min(rental_days, _days_between(booking.pickup_at, booking.returned_at))
    start = booking.pickup_at.astimezone(DUBAI).date()
    elapsed = (day - start).days + 1
    if elapsed <= 0:
        return 0
    if elapsed >= rental_days:
        return sum(amount for amount, _, _ in spans) - given_back
    return sum(amount * min(max(elapsed - first, 0), days) // days for amount, first, days in spans)


def _days_between(start: datetime, end: datetime) -> int:
    seconds = (end - start).total_seconds()
    return max(1, -int(-seconds // 86_400))


def _price_spans(booking: Booking) -> list[tuple[int, int, int]]:
    """(amount, first rental day, days) of the booked price and each extension."""
    spans = [
        (booking.rental_amount_minor, 0, _days_between(booking.pickup_at, booking.return_due_at))
    ]
    end = spans[0][2]
    for extension in sorted(booking.extensions, key=lambda e: e.extended_to):
        new_end = max(_days_between(booking.pickup_at, extension.extended_to), end)
        spans.append(
            (extension.amount_minor, *((end, new_end - end) if new_end > end else (end - 1, 1)))
        )
        end = new_end
    return spans


def revenue_summary(
    db: Database,
    sandbox: SandboxClient,
    month: date,
    *,
    failed_partitions: int,
    parallel: dict[str, Any],
    planted: list[PlantedDifference],
) -> dict[str, Any]:
    days = month_days(month)
    with db.read() as session:
        journals = list(
            session.scalars(select(RevenueJournal).where(RevenueJournal.status == "posted"))
        )
        posted_days = session.scalar(
            select(func.count()).where(RevenuePartition.day.between(days[0], days[-1]))
        )
        invoices = session.scalar(select(func.count()).select_from(Invoice))
        paid = session.scalar(select(func.count()).where(Invoice.status == "paid"))
        notes = session.scalar(select(func.count()).select_from(CreditNote))
    held = sandbox.records("netsuite")["records"]
    held_journals = {str(r.get("externalId")) for r in held.get("journalEntry", [])}
    listed = parallel.get("difference_list") or []
    found_keys = {(d["date"], d["booking"], d["account"]) for d in listed}
    planted_found = [
        p
        for p in planted
        if all((p.day.isoformat(), p.booking_id, a) in found_keys for a in p.accounts)
    ]
    planted_keys = {(p.day.isoformat(), p.booking_id, a) for p in planted for a in p.accounts}
    recognised = sum(j.credit_minor for j in journals if days[0] <= j.day <= days[-1])
    return {
        "days_in_month": len(days),
        "days_posted": int(posted_days or 0),
        "failed_partitions": failed_partitions,
        "journals": len(journals),
        "journals_at_netsuite": len({j.id for j in journals} & held_journals),
        "journals_at_netsuite_not_posted": len(held_journals - {j.id for j in journals}),
        "recognised_fils": recognised,
        "expected_fils": expected_fils(db, month),
        "unbalanced_journals": sum(1 for j in journals if j.debit_minor != j.credit_minor),
        "invoices": int(invoices or 0),
        "invoices_paid": int(paid or 0),
        "invoices_at_netsuite": len(held.get("invoice", [])),
        "credit_notes": int(notes or 0),
        "credit_notes_at_netsuite": len(held.get("creditMemo", [])),
        "parallel_run_differences": listed,
        "parallel_run_planted": [
            {"kind": p.kind, "date": p.day.isoformat(), "booking": p.booking_id} for p in planted
        ],
        "parallel_run_planted_found": len(planted_found),
        "parallel_run_unexplained": len(found_keys - planted_keys),
    }


def revenue_ok(summary: dict[str, Any]) -> bool:
    """Every day of the month posted, every fils as expected, NetSuite holding exactly what was
    posted, and the parallel run finding the planted differences and nothing else."""
    return bool(
        summary["days_posted"] == summary["days_in_month"]
        and summary["journals"] > 0
        and summary["failed_partitions"] == 0
        and summary["unbalanced_journals"] == 0
        and summary["recognised_fils"] == summary["expected_fils"]
        and summary["journals_at_netsuite"] == summary["journals"]
        and summary["journals_at_netsuite_not_posted"] == 0
        and summary["invoices_at_netsuite"] == summary["invoices"]
        and summary["credit_notes_at_netsuite"] == summary["credit_notes"]
        and summary["parallel_run_planted_found"] == len(summary["parallel_run_planted"])
        and summary["parallel_run_unexplained"] == 0
    )
