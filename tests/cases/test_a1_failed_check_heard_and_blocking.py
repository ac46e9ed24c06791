"""A failed check is heard, and stops what depends on it.

The store has 3 captured payments totalling 1,200.00 AED; NetSuite has 2 totalling 800.00. The
reconciliation check fails with severity ERROR and reports the missing payment and 400.00.
Slack receives exactly one alert naming the check, the day and the gap although the run
succeeded, and the day's revenue journal does not post, in the same run or a later one. A
WARN-severity lag check alerts but blocks nothing.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from ez_pipelines.assets.health import integration_health_asset
from ez_pipelines.assets.keys import INTEGRATION_HEALTH, RECONCILIATION
from ez_pipelines.assets.payments import DUBAI_DAYS, payments_reconciliation
from ez_pipelines.canonical.db import Database
from ez_pipelines.checks.gates import require_passing_checks
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.payments.reconcile import DUBAI
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.cases.alerting import Ticker, alert_resources, slack_messages, tick
from tests.outbox.helpers import add_customers
from tests.payments.reconcile_fakes import FakeCheckout, FakeNetSuite, captured_payment

JOURNAL = dg.AssetKey(["finance", "revenue_journal"])
posted: list[str] = []


@dg.asset(key=JOURNAL, deps=[RECONCILIATION], partitions_def=DUBAI_DAYS)
def revenue_journal(context: dg.AssetExecutionContext) -> None:
    """Stands for the day's revenue journal: posts only on a reconciled day."""
    require_passing_checks(context, RECONCILIATION)
    posted.append(context.partition_key)


@dg.asset(deps=[INTEGRATION_HEALTH])
def reads_health() -> None:
    """Anything downstream of the health checks, which warn and never block."""


class Holding:
    def __init__(self, fake: Any) -> None:
        self.fake = fake

    @contextmanager
    def client(self) -> Iterator[Any]:
        yield self.fake


@pytest.fixture(autouse=True)
def nothing_posted() -> None:
    posted.clear()


def test_a_reconciliation_gap_alerts_once_and_blocks_the_days_journal(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    now = SYSTEM_CLOCK.now()
    day = now.astimezone(DUBAI).date().isoformat()
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 50000, now=now)
    captured_payment(sqlite_db, checkout, netsuite, "P-2", 30000, now=now)
    captured_payment(sqlite_db, checkout, None, "P-3", 40000, now=now)
    resources = {
        **alert_resources(sqlite_db, sandbox),
        "checkout": Holding(checkout),
        "netsuite": Holding(netsuite),
    }

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:

        def run(*assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
            return dg.materialize(
                list(assets),
                resources=resources,
                instance=instance,
                partition_key=day,
                raise_on_error=False,
            )

        reconciled = run(payments_reconciliation)
        alerts = Ticker(instance, resources, [payments_reconciliation])
        first_tick, second_tick = alerts.tick(), alerts.tick()
        later_run = run(revenue_journal)
        same_run = run(payments_reconciliation, revenue_journal)

    [evaluation] = reconciled.get_asset_check_evaluations()
    assert reconciled.success
    assert (evaluation.passed, evaluation.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert evaluation.metadata["unaccounted_minor"].value == {"AED": 40000}
    assert evaluation.metadata["payments_with_gaps"].value == ["P-3"]

    [alert] = slack_messages(sandbox_client)
    assert f"payments/reconciliation:reconciliation_clean [{day}]" in alert
    assert "400.00 AED unaccounted for" in alert and "P-3" in alert
    assert f"/runs/{reconciled.run_id}" in alert
    assert first_tick.startswith("1 alerts posted") and second_tick.startswith("0 alerts posted")

    assert not later_run.success
    assert "reconciliation_clean failed for " + day in str(later_run.get_step_failure_events())
    assert not same_run.asset_materializations_for_node("finance__revenue_journal")
    assert posted == []


def test_a_warn_lag_check_alerts_but_blocks_nothing(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    add_customers(sqlite_db, 1, SYSTEM_CLOCK.now() - timedelta(minutes=20))
    resources = alert_resources(sqlite_db, sandbox)

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = dg.materialize(
            [integration_health_asset, reads_health], resources=resources, instance=instance
        )
        tick(instance, resources, [integration_health_asset])

    lag = {e.check_name: e for e in result.get_asset_check_evaluations()}["hubspot_sync_lag"]
    assert (lag.passed, lag.severity) == (False, dg.AssetCheckSeverity.WARN)
    assert result.asset_materializations_for_node("reads_health")
    [warning] = [m for m in slack_messages(sandbox_client) if "hubspot_sync_lag" in m]
    assert "(WARN)" in warning
    assert re.search(r"oldest unsynced change 12\d\d s \(threshold 900 s\)", warning)
