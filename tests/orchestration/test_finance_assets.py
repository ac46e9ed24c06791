"""Finance assets materialised for real: documents, days of revenue with their checks, and a
parallel run against a manual-journal CSV with a difference in it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.parallel_run import ManualLine, our_lines, write_manual_journals
from tests.finance.helpers import add_booking, dubai
from tests.orchestration.test_projection_assets import checks

DOCUMENTS = dg.AssetKey(["finance", "invoices"])
JOURNALS = dg.AssetKey(["finance", "revenue_journals"])
DEFERRED = dg.AssetKey(["finance", "deferred_revenue"])
PARALLEL = dg.AssetKey(["finance", "parallel_run"])
RECONCILIATION = dg.AssetKey(["payments", "reconciliation"])


def run(
    defs: dg.Definitions, instance: dg.DagsterInstance, keys: list[dg.AssetKey], day: str | None
) -> dg.ExecuteInProcessResult:
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, asset_selection=keys, partition_key=day)


def metadata(result: dg.ExecuteInProcessResult, node: str) -> dict[str, object]:
    (event,) = result.asset_materializations_for_node(node)
    return {name: value.value for name, value in event.metadata.items()}


def test_a_month_of_days_posts_with_every_check_passing_and_the_csv_difference_is_found(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database, tmp_path: Path
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(date(2026, 11, 3)), days=2, amount_minor=10_001)
    add_booking(sqlite_db, "B-2", pickup_at=dubai(date(2026, 11, 4)), days=1, amount_minor=7_000)
    assert run(defs, instance, [DOCUMENTS], None).success

    for d in (3, 4, 5):
        assert run(defs, instance, [RECONCILIATION], f"2026-11-0{d}").success
    days = [run(defs, instance, [JOURNALS, DEFERRED], f"2026-11-0{d}") for d in (3, 4, 5)]

    assert all(r.success for r in days)
    assert all(e.passed for r in days for e in checks(r).values())
    fourth = metadata(days[1], "finance__revenue_journals")
    assert fourth["recognised"] == "120.01 AED"  # 50.01 of B-1 and 70.00 of B-2
    assert metadata(days[1], "finance__deferred_revenue")["closing"] == "0.00 AED"

    ours = our_lines(sqlite_db, deferred_account="2410", revenue_account="4010")
    manual = [
        ManualLine(day, booking, account, max(amount, 0), max(-amount, 0))
        for (day, booking, account), amount in sorted(ours.items())
    ]
    typo = manual[0]
    manual[0] = ManualLine(typo.day, typo.booking_id, typo.account, typo.debit_minor + 1_000, 0)
    write_manual_journals(tmp_path / "manual-journals.csv", manual)

    compared = run(defs, instance, [PARALLEL], None)

    check = checks(compared)["finance/parallel_run:parallel_run_within_tolerance"]
    assert not check.passed
    values = metadata(compared, "finance__parallel_run")
    assert values["differences"] == 1
    assert values["difference_list"] == [
        {
            "date": "2026-11-03",
            "booking": "B-1",
            "account": "2410",
            "ours": "50.00",
            "theirs": "60.00",
            "difference": "-10.00",
        }
    ]
