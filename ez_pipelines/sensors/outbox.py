"""The outbox sensor: start a projection's sync run when it has rows due, and say why not."""

import json

import dagster as dg

from ez_pipelines.assets.registry import PROJECTION_ASSETS
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.ops.metrics import QueueStatus, queue_status
from ez_pipelines.resources.database import DatabaseResource

PROJECTION_TAG = "ez/projection"
_ACTIVE = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def run_active(instance: dg.DagsterInstance, tag: str, value: str) -> bool:
    """Whether a run tagged `tag=value` is queued or running."""
    records = instance.get_run_records(dg.RunsFilter(tags={tag: value}, statuses=_ACTIVE), limit=1)
    return bool(records)


def _idle_reason(name: str, status: QueueStatus | None) -> str:
    if status is None:
        return f"{name}: nothing queued"
    parts = [f"{name}: nothing due"]
    if status.in_flight:
        parts.append(f"{status.in_flight} in flight")
    if status.waiting_retry and status.next_due_at:
        parts.append(
            f"{status.waiting_retry} waiting to retry, next at {status.next_due_at:%H:%M:%S}Z"
        )
    if status.dead_letters:
        parts.append(f"{status.dead_letters} dead letters wait for a person")
    return ", ".join(parts)


@dg.sensor(
    name="outbox_due_rows",
    asset_selection=dg.AssetSelection.assets(*PROJECTION_ASSETS.values()),
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a projection's sync run whenever the outbox has rows due for it.",
)
def outbox_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult:
    """One run per projection at a time, requested while rows are due.

    The cursor counts requests per projection; the count is the run key, so a tick evaluated
    twice (a daemon restart) cannot start the same run twice, while a projection whose last run
    ended with rows still due gets a new run on the next tick.
    """
    statuses = queue_status(database.database(), now=SYSTEM_CLOCK.now())
    cursor: dict[str, dict[str, str | int]] = json.loads(context.cursor) if context.cursor else {}
    requests, reasons = [], []
    for (system, entity), key in PROJECTION_ASSETS.items():
        name = f"{system}/{entity}"
        status = statuses.get((system, entity))
        if status is None or status.due == 0:
            reasons.append(_idle_reason(name, status))
            continue
        if run_active(context.instance, PROJECTION_TAG, name):
            reasons.append(f"{name}: {status.due} due, its sync run is already in progress")
            continue
        previous = cursor.get(name, {})
        count = int(previous.get("requests", 0)) + 1
        cursor[name] = {"requests": count, "watermark": status.watermark}
        requests.append(
            dg.RunRequest(
                run_key=f"{name}:{count}",
                asset_selection=[key],
                tags={PROJECTION_TAG: name, "ez/due_rows": str(status.due)},
            )
        )
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps(cursor, sort_keys=True),
        skip_reason=None if requests else dg.SkipReason("; ".join(reasons)),
    )
