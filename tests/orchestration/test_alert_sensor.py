"""The alert sensor over real check evaluations: a warning, its escalation to an error and its
recovery are each one message, and a restarted sensor resuming from its cursor repeats none."""

from pathlib import Path

import dagster as dg
import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.alerts import AMBER, RED, read_cursor, write_cursor
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.cases.alerting import UI, Ticker, alert_resources, slack_messages


class Figure(dg.Config):
    lag_s: int


@dg.asset(check_specs=[dg.AssetCheckSpec("lag_within_bound", asset="queue_figures")])
def queue_figures(config: Figure) -> dg.MaterializeResult:
    """A figure judged against a 900 s bound: WARN past it, ERROR past twice the bound."""
    passed = config.lag_s <= 900
    severity = dg.AssetCheckSeverity.ERROR if config.lag_s > 1800 else dg.AssetCheckSeverity.WARN
    return dg.MaterializeResult(
        check_results=[
            dg.AssetCheckResult(
                check_name="lag_within_bound",
                passed=passed,
                severity=severity,
                description=f"oldest unsynced change {config.lag_s} s (threshold 900 s)",
            )
        ]
    )


def measure(instance: dg.DagsterInstance, lag_s: int) -> str:
    result = dg.materialize(
        [queue_figures],
        instance=instance,
        run_config=dg.RunConfig({"queue_figures": Figure(lag_s=lag_s)}),
    )
    return result.run_id


def test_warning_escalation_and_recovery_are_each_heard_once(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    resources = alert_resources(sqlite_db, sandbox)
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        alerts = Ticker(instance, resources, [queue_figures])
        summaries = []
        runs = []
        for lag_s in (1200, 1300, 2400, 2500, 1200, 2400, 60):
            runs.append(measure(instance, lag_s))
            summaries.append(alerts.tick())
            # Every tick the daemon may have restarted: it resumes from the kept cursor.
            alerts = Ticker(instance, resources, [queue_figures], cursor=alerts.cursor)
        final = alerts.tick()

    messages = slack_messages(sandbox_client)
    assert [s.split(",")[0] for s in summaries] == [
        "1 alerts posted",  # amber
        "0 alerts posted",  # still amber
        "1 alerts posted",  # escalated to red
        "0 alerts posted",  # still red
        "0 alerts posted",  # back to amber: remembered, not posted
        "1 alerts posted",  # red again
        "1 alerts posted",  # recovered
    ]
    assert final.startswith("0 alerts posted")
    assert len(messages) == 4
    warned, escalated, again, recovered = messages
    assert warned.startswith(":large_orange_circle: *queue_figures:lag_within_bound* warns")
    assert "(WARN) oldest unsynced change 1200 s (threshold 900 s)" in warned
    assert f"<{UI}/runs/{runs[0]}|" in warned
    assert "went from amber to red" in escalated and "(ERROR)" in escalated
    assert "2400 s (threshold 900 s)" in escalated and f"/runs/{runs[2]}|" in escalated
    assert "went from amber to red" in again
    assert "recovered" in recovered and "60 s (threshold 900 s)" in recovered


def test_a_cursor_round_trips_and_an_unreadable_one_reads_as_nothing_told(
    caplog: pytest.LogCaptureFixture,
) -> None:
    told = {"check:a:-": AMBER, "run:1234": RED}

    assert read_cursor(write_cursor(told)) == told
    assert read_cursor(None) == {}
    for unreadable in ("not json", '{"version": 1, "told": {"k": "purple"}}', "[1, 2]"):
        assert read_cursor(unreadable) == {}
    assert "alert cursor unreadable" in caplog.text
