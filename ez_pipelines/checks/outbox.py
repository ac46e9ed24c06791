"""Checks on every projection: nothing waits for a person, and nothing waits too long."""

import dagster as dg

from ez_pipelines.assets.registry import PROJECTION_ASSETS
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.ops.metrics import queue_status
from ez_pipelines.outbox.deadletters import list_dead_letters
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.sync_engine import SyncEngineResource

_SAMPLE = 20


def _dead_letter_check(key: dg.AssetKey, system: str, entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key,
        name="no_dead_letters",
        description=f"No {entity} sync to {system} is waiting for a person.",
    )
    def no_dead_letters(database: DatabaseResource) -> dg.AssetCheckResult:
        letters = [
            d for d in list_dead_letters(database.database(), system=system) if d.entity == entity
        ]
        return dg.AssetCheckResult(
            passed=not letters,
            severity=dg.AssetCheckSeverity.ERROR,
            description=(
                f"{len(letters)} dead letters: see `ez-pipelines deadletter list --system {system}`"
                if letters
                else "no dead letters"
            ),
            metadata={
                "dead_letters": len(letters),
                "outbox_ids": dg.JsonMetadataValue([d.id for d in letters[:_SAMPLE]]),
            },
        )

    return no_dead_letters


def _lag_check(key: dg.AssetKey, system: str, entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key,
        name="sync_lag",
        description=f"The oldest unsynced {entity} change reached {system} within the bound.",
    )
    def sync_lag(
        database: DatabaseResource, sync_engine: SyncEngineResource
    ) -> dg.AssetCheckResult:
        now = SYSTEM_CLOCK.now()
        status = queue_status(database.database(), now=now).get((system, entity))
        oldest = status.oldest_change_at if status else None
        lag_s = (now - oldest).total_seconds() if oldest else 0.0
        return dg.AssetCheckResult(
            passed=lag_s <= sync_engine.lag_bound_s,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"oldest unsynced change is {lag_s:.0f} s old "
            f"(bound {sync_engine.lag_bound_s:.0f} s)",
            metadata={
                "lag_s": dg.FloatMetadataValue(round(lag_s, 3)),
                "bound_s": dg.FloatMetadataValue(sync_engine.lag_bound_s),
                "pending": (status.due + status.in_flight + status.waiting_retry) if status else 0,
            },
        )

    return sync_lag


OUTBOX_CHECKS = [
    check
    for (system, entity), key in PROJECTION_ASSETS.items()
    for check in (_dead_letter_check(key, system, entity), _lag_check(key, system, entity))
]
