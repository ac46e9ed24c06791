"""Outbox projections as assets: each materialisation drains one projection's due rows.

One factory makes every projection asset, so they all report the same metadata, take the same
resources and sit in the same kind of concurrency pool (one per vendor: two runs of one vendor
never add up past its limits).
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Protocol

import dagster as dg

from ez_pipelines.assets.freshness import PROJECTION_FRESHNESS
from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.projection import Projection
from ez_pipelines.resources.sync_engine import SyncEngineResource


class VendorResource(Protocol):
    def open_projection(self, entity: str) -> AbstractContextManager[Projection]: ...


def sync_projection(
    context: dg.AssetExecutionContext,
    db: Database,
    projection: Projection,
    engine: SyncEngineResource,
) -> dg.MaterializeResult:
    """Drain the projection's due rows within the engine's time budget.

    Rows that fail stay in the outbox with their retry time, so the run succeeds and reports
    them; the asset checks and the sensor's next run deal with what is left.
    """
    dispatcher = Dispatcher(
        db,
        projection,
        policy=engine.policy(),
        worker=f"run-{context.run.run_id[:8]}",
        batch_size=engine.batch_size,
        lease_s=engine.lease_s,
    )
    report = dispatcher.drain(max_seconds=engine.drain_seconds)
    pending = dispatcher.pending_count()
    context.log.info(
        "%s/%s: %d created, %d updated, %d unchanged, %d retried, %d dead-lettered, %d pending",
        projection.system,
        projection.entity,
        report.created,
        report.updated,
        report.unchanged,
        report.retried,
        report.dead_lettered,
        pending,
    )
    metadata: dict[str, dg.RawMetadataValue] = {**report.as_metadata(), "pending_after": pending}
    if report.errors:
        metadata["errors_by_type"] = dg.JsonMetadataValue(report.errors)
    return dg.MaterializeResult(metadata=metadata)


def projection_asset(
    *,
    key: dg.AssetKey,
    system: str,
    entity: str,
    upstream: dg.AssetKey,
    description: str,
    after: tuple[dg.AssetKey, ...] = (),
) -> dg.AssetsDefinition:
    """The asset that materialises `system`'s projection of `entity` (resource key `system`).

    `after` are projections it depends on at the vendor (an invoice needs its customer there).
    """

    @dg.asset(
        key=key,
        deps=[upstream, *after],
        group_name=system,
        kinds={system},
        pool=system,
        freshness_policy=PROJECTION_FRESHNESS,
        required_resource_keys={"database", "sync_engine", system},
        description=description,
    )
    def projection(context: dg.AssetExecutionContext) -> Iterator[dg.MaterializeResult]:
        vendor: VendorResource = getattr(context.resources, system)
        with vendor.open_projection(entity) as opened:
            yield sync_projection(
                context,
                context.resources.database.database(),
                opened,
                context.resources.sync_engine,
            )

    return projection
