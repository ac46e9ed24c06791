"""The alert sensor: tells Slack once about each check or run that turned amber or red, once
when an amber one turns red, and once when it recovers.

Every minute it reads the latest evaluation of every asset check (per partition) and the runs
that failed in the last day, turns them into signals, and lets `ops.alerts` post the changes.
A check that fails alerts whatever its run did; a run Dagster will retry waits for its last
retry, which alerts once, with the count. The projections' own checks are left out: the health
checks of `ops/integration_health` summarise them per integration, so a dead letter is one
message, not one per projection. What Slack was told is kept in the sensor's cursor, which
Dagster stores with the sensor, so a restarted daemon carries on without repeating itself.
"""

from datetime import timedelta

import dagster as dg

from ez_pipelines.assets.registry import PROJECTION_ASSETS
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.ops.alerts import AMBER, OK, RED, Signal, deliver, read_cursor, write_cursor
from ez_pipelines.resources.health import HealthResource
from ez_pipelines.resources.slack import SlackAlertsResource

RUNS_WINDOW = timedelta(days=1)
CHECK_HISTORY = 20
RUN_LIMIT = 100
_SUMMARISED = set(PROJECTION_ASSETS.values())
_PARTITION_TAG = "dagster/partition"


def alerting_check_keys(asset_graph: object) -> list[dg.AssetCheckKey]:
    keys: set[dg.AssetCheckKey] = getattr(asset_graph, "asset_check_keys", set())
    return sorted(
        (k for k in keys if k.asset_key not in _SUMMARISED), key=lambda k: k.to_user_string()
    )


def check_signals(
    instance: dg.DagsterInstance, keys: list[dg.AssetCheckKey], health: HealthResource
) -> list[Signal]:
    """The latest evaluation of each check, per partition it ran for."""
    signals = []
    for key in keys:
        seen: set[str | None] = set()
        records = instance.event_log_storage.get_asset_check_execution_history(
            key, limit=CHECK_HISTORY
        )
        for record in records:
            evaluation = record.evaluation
            if evaluation is None:
                continue
            partition = record.partition or _run_partition(instance, record.run_id)
            if partition in seen:
                continue
            seen.add(partition)
            title = key.to_user_string() + (f" [{partition}]" if partition else "")
            severity = evaluation.severity.value if evaluation.severity else "ERROR"
            detail = evaluation.description or ("passed" if evaluation.passed else "failed")
            level = OK if evaluation.passed else (AMBER if severity == "WARN" else RED)
            signals.append(
                Signal(
                    key=f"check:{key.to_user_string()}:{partition or '-'}",
                    level=level,
                    title=title,
                    detail=detail if evaluation.passed else f"({severity}) {detail}",
                    link=health.run_url(record.run_id),
                )
            )
    return signals


def _run_partition(instance: dg.DagsterInstance, run_id: str) -> str | None:
    run = instance.get_run_by_id(run_id)
    return run.tags.get(_PARTITION_TAG) if run else None


def run_signals(instance: dg.DagsterInstance, health: HealthResource) -> list[Signal]:
    """Failed runs of the last day that Dagster will not retry, one signal each."""
    since = SYSTEM_CLOCK.now() - RUNS_WINDOW
    records = instance.get_run_records(
        dg.RunsFilter(statuses=[dg.DagsterRunStatus.FAILURE], updated_after=since),
        limit=RUN_LIMIT,
    )
    signals = []
    # Oldest first, so alerts read in the order things went wrong.
    for record in reversed(records):
        run = record.dagster_run
        if run.tags.get("dagster/will_retry") == "true":
            continue
        retries = int(run.tags.get("dagster/retry_number", "0"))
        tried = f" after {retries} retries" if retries else ""
        reason = run.tags.get("dagster/failure_reason", "a step failed")
        signals.append(
            Signal(
                key=f"run:{run.run_id}",
                level=RED,
                title=f"Run of {run.job_name} ({run.run_id[:8]})",
                detail=f"failed{tried}: {reason.replace('_', ' ').lower()}",
                link=health.run_url(run.run_id),
                recovers=False,
            )
        )
    return signals


@dg.sensor(
    name="health_alerts",
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts to Slack once when a check or run turns amber or red, once when it "
    "escalates to red, and once when it recovers.",
)
def health_alerts_sensor(
    context: dg.SensorEvaluationContext,
    slack: SlackAlertsResource,
    health: HealthResource,
) -> dg.SkipReason:
    graph = context.repository_def.asset_graph if context.repository_def else None
    signals = [
        *check_signals(context.instance, alerting_check_keys(graph), health),
        *run_signals(context.instance, health),
    ]
    delivery = deliver(signals, read_cursor(context.cursor), slack.poster())
    context.update_cursor(write_cursor(delivery.told))
    summary = (
        f"{len(delivery.posted)} alerts posted, {len(delivery.failed)} to try again, "
        f"{delivery.unchanged} subjects unchanged"
    )
    context.log.info(summary)
    return dg.SkipReason(summary)
