"""The inbox sensor: apply newly received webhook events soon after they arrive."""

import dagster as dg

from ez_pipelines.assets.keys import CHECKOUT_EVENTS, LEADS_RAW, LEADS_UNIFIED
from ez_pipelines.inbox.status import inbox_status
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.sensors.outbox import run_active

# What each system's new events start: the assets that apply them, in one run.
PROCESSORS = {
    "checkout": [CHECKOUT_EVENTS],
    **{system: [key, LEADS_UNIFIED] for system, key in LEADS_RAW.items()},
}
PROCESSOR_TAG = "ez/inbox"


@dg.sensor(
    name="inbox_new_events",
    asset_selection=dg.AssetSelection.assets(*{k for keys in PROCESSORS.values() for k in keys}),
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the processing of a system's webhook events when new ones arrive.",
)
def inbox_sensor(
    context: dg.SensorEvaluationContext, database: DatabaseResource
) -> dg.SensorResult:
    """Runs are keyed by the newest event received, so one arrival starts one run. Deferred
    events (waiting for their payment) do not start runs: every processing run and the polling
    schedule retry them."""
    statuses = inbox_status(database.database())
    requests, reasons = [], []
    for system, keys in PROCESSORS.items():
        status = statuses.get(system)
        if status is None or status.received == 0:
            deferred = status.deferred if status else 0
            reasons.append(f"{system}: no new events ({deferred} deferred)")
            continue
        if run_active(context.instance, PROCESSOR_TAG, system):
            reasons.append(f"{system}: {status.received} new, a processing run is in progress")
            continue
        requests.append(
            dg.RunRequest(
                run_key=f"{system}:{status.newest_received_id}",
                asset_selection=keys,
                tags={PROCESSOR_TAG: system},
            )
        )
    return dg.SensorResult(
        run_requests=requests,
        skip_reason=None if requests else dg.SkipReason("; ".join(reasons)),
    )
