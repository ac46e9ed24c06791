"""The revenue journal of a Dubai day posts only once that day's payments reconcile cleanly.

The store has 3 captured payments totalling 1,200.00 AED on 2 November; the NetSuite stand-in
holds 2 of them, 800.00. The reconciliation run succeeds, its check fails with severity ERROR
naming the missing payment and 400.00, and the day's revenue journal refuses to post, naming the
check, the day and the gap, with nothing queued for NetSuite. Once NetSuite holds the third
payment and the day is reconciled again, the journal posts. A WARN blocks nothing.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from sqlalchemy import select

from ez_pipelines.assets.days import DUBAI_DAYS, REVENUE_DAYS, reconciliation_day
from ez_pipelines.assets.finance import revenue_journals
from ez_pipelines.assets.payments import payments_reconciliation
from ez_pipelines.canonical.db import Database
from ez_pipelines.checks.gates import require_passing_checks
from ez_pipelines.definitions import build_resources, defs
from ez_pipelines.finance.tables import RevenueJournal
from ez_pipelines.outbox.tables import OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.netsuite.contract_v1 import action_external_id
from tests.orchestration.conftest import settings_for
from tests.payments.events import T0
from tests.payments.reconcile_fakes import FakeCheckout, captured_payment

DAY = "2026-11-02"  # T0 is 14:00 on 2 November in Dubai


class Holding:
    def __init__(self, fake: Any) -> None:
        self.fake = fake

    @contextmanager
    def client(self) -> Iterator[Any]:
        yield self.fake


def record_at_netsuite(resources: dict[str, Any], payment_id: str, amount: float) -> None:
    """A captured payment as NetSuite holds it once our sync wrote it."""
    with resources["netsuite"].client() as netsuite:
        netsuite.upsert(
            "customerPayment",
            action_external_id(f"act_{payment_id.lower()}"),
            {"customer": {"id": "1"}, "payment": amount},
        )


def journals_queued(db: Database) -> list[str]:
    with db.read() as session:
        posted = list(session.scalars(select(RevenueJournal.id)))
        queued = list(
            session.scalars(
                select(OutboxRow.record_id).where(OutboxRow.entity == "revenue_journal")
            )
        )
    assert sorted(posted) == sorted(queued)
    return sorted(queued)


def test_a_day_with_a_payment_missing_at_netsuite_does_not_post_until_reconciled(
    sqlite_db: Database, sandbox: BackgroundServer, sandbox_client: SandboxClient, tmp_path: Path
) -> None:
    checkout = FakeCheckout()
    for payment_id, amount in (("P-1", 50000), ("P-2", 30000), ("P-3", 40000)):
        captured_payment(sqlite_db, checkout, None, payment_id, amount, now=T0)
    resources: dict[str, Any] = {
        **build_resources(settings_for(sqlite_db, sandbox, tmp_path)),
        "checkout": Holding(checkout),
    }
    record_at_netsuite(resources, "P-1", 500.00)
    record_at_netsuite(resources, "P-2", 300.00)

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:

        def run(asset: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
            return dg.materialize(
                [asset], resources=resources, instance=instance, partition_key=DAY,
                raise_on_error=False,
            )  # fmt: skip

        never_reconciled = run(revenue_journals)
        reconciled = run(payments_reconciliation)
        blocked = run(revenue_journals)
        nothing_posted = journals_queued(sqlite_db)

        record_at_netsuite(resources, "P-3", 400.00)
        reconciled_again = run(payments_reconciliation)
        posted = run(revenue_journals)

    assert not never_reconciled.success
    assert f"reconciliation_clean has not been evaluated for {DAY}" in str(
        never_reconciled.get_step_failure_events()
    )

    [evaluation] = reconciled.get_asset_check_evaluations()
    assert reconciled.success
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert evaluation.metadata["payments_with_gaps"].value == ["P-3"]
    assert "400.00 AED unaccounted for" in (evaluation.description or "")

    assert not blocked.success
    [failure] = blocked.get_step_failure_events()
    message = str(failure.step_failure_data.user_failure_data)
    assert f"reconciliation_clean failed for {DAY}" in message
    assert "P-3" in message and "400.00 AED" in message
    assert not blocked.asset_materializations_for_node("finance__revenue_journals")
    assert nothing_posted == []

    [clean] = reconciled_again.get_asset_check_evaluations()
    assert clean.passed
    assert posted.success
    assert journals_queued(sqlite_db) == ["REVREC-AED-20261102-01"]
    held = sandbox_client.records("netsuite")["records"]
    assert len(held["customerPayment"]) == 3


def test_every_revenue_day_is_vouched_for_by_the_reconciliation_of_the_same_dubai_day() -> None:
    for key in REVENUE_DAYS.get_partition_keys()[:60]:
        assert reconciliation_day(key) == key
        assert DUBAI_DAYS.time_window_for_partition_key(
            key
        ) == REVENUE_DAYS.time_window_for_partition_key(key)


UPSTREAM = dg.AssetKey(["payments", "lagging"])


@dg.asset(
    key=UPSTREAM,
    partitions_def=REVENUE_DAYS,
    check_specs=[dg.AssetCheckSpec("lag", asset=UPSTREAM)],
)
def lagging() -> dg.MaterializeResult:
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(check_name="lag", passed=False, severity=dg.AssetCheckSeverity.WARN)
        ]
    )


@dg.asset(deps=[UPSTREAM], partitions_def=REVENUE_DAYS)
def after_lagging(context: dg.AssetExecutionContext) -> None:
    require_passing_checks(context, UPSTREAM, ["lag"])


def test_a_failed_warn_check_blocks_nothing(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        upstream = dg.materialize([lagging], instance=instance, partition_key=DAY)
        downstream = dg.materialize([after_lagging], instance=instance, partition_key=DAY)

    [warned] = upstream.get_asset_check_evaluations()
    assert (warned.passed, warned.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert downstream.success


def test_the_nightly_reconciliation_of_a_day_runs_before_its_nightly_revenue() -> None:
    reconcile = defs.resolve_schedule_def("nightly_payments_reconciliation")
    post = defs.resolve_schedule_def("nightly_revenue_recognition")
    reconcile_at = datetime(2026, 11, 5, 20, 5, tzinfo=UTC)  # 00:05 on 6 November in Dubai
    post_at = datetime(2026, 11, 5, 20, 20, tzinfo=UTC)

    [reconciled] = (
        reconcile.evaluate_tick(
            dg.build_schedule_context(
                scheduled_execution_time=reconcile_at, repository_def=defs.get_repository_def()
            )
        ).run_requests
        or []
    )
    [posted] = (
        post.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=post_at)).run_requests
        or []
    )

    assert reconciled.partition_key == posted.partition_key == "2026-11-05"
    assert (reconcile.cron_schedule, post.cron_schedule) == ("5 0 * * *", "20 0 * * *")
    assert reconcile.execution_timezone == post.execution_timezone == "Asia/Dubai"
