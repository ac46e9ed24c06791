"""Gates: an asset that must not build on a failed blocking check refuses to, in any run.

Dagster's own `blocking=True` fails the step that evaluated the check, and with it a run that
did its job (a reconciliation that found a gap), and guards only the run it is in. Instead, an
asset that depends on a clean upstream (the revenue journal of a Dubai day on that day's
reconciliation) calls `require_passing_checks` first: it reads the latest evaluation of each
blocking check of the upstream, for the same partition, and raises a `Failure` that names what
failed, whether the upstream ran in the same run, in the morning, or never.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

# TODO(Dagster exporting the filter publicly): the event log's filter by partition key.
from dagster._core.event_api import PartitionKeyFilter

from ez_pipelines.assets.keys import RECONCILIATION
from ez_pipelines.checks.reconciliation import RECONCILIATION_CHECK

# The checks that block what depends on each asset, by asset.
BLOCKING_CHECKS: dict[dg.AssetKey, tuple[str, ...]] = {RECONCILIATION: (RECONCILIATION_CHECK,)}
_HISTORY = 200


@dataclass(frozen=True)
class Blocked:
    check: str
    partition: str | None
    reason: str


def blocking_failures(
    instance: dg.DagsterInstance,
    upstream: dg.AssetKey,
    partition: str | None,
    checks: Sequence[str] | None = None,
) -> list[Blocked]:
    """The blocking checks of `upstream` whose latest evaluation for `partition` failed with
    severity ERROR, or that never ran for it. A WARN is heard by the alerts and blocks nothing."""
    blocked = []
    for name in checks if checks is not None else BLOCKING_CHECKS.get(upstream, ()):
        latest = _latest_evaluation(instance, dg.AssetCheckKey(upstream, name), partition)
        where = f" for {partition}" if partition else ""
        if latest is None:
            blocked.append(Blocked(name, partition, f"{name} has not been evaluated{where}"))
        elif not latest.passed and latest.severity == dg.AssetCheckSeverity.ERROR:
            described = latest.description or "failed"
            blocked.append(Blocked(name, partition, f"{name} failed{where}: {described}"))
    return blocked


def _latest_evaluation(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey, partition: str | None
) -> dg.AssetCheckEvaluation | None:
    # A check of a partitioned asset is stored with its partition: asking for exactly that one
    # finds a day evaluated months ago as surely as this morning's.
    records = instance.event_log_storage.get_asset_check_execution_history(
        key, limit=_HISTORY, partition_filter=PartitionKeyFilter(key=partition)
    )
    # A run that planned the check and has not evaluated it yet says nothing about it.
    evaluated = [r.evaluation for r in records if isinstance(r.evaluation, dg.AssetCheckEvaluation)]
    if not evaluated and partition is not None:
        # Checks that are not partitioned themselves carry their run's partition.
        records = instance.event_log_storage.get_asset_check_execution_history(key, _HISTORY)
        evaluated = [
            r.evaluation
            for r in records
            if isinstance(r.evaluation, dg.AssetCheckEvaluation)
            and _run_partition(instance, r.run_id) == partition
        ]
    return evaluated[0] if evaluated else None


def _run_partition(instance: dg.DagsterInstance, run_id: str) -> str | None:
    run = instance.get_run_by_id(run_id)
    return run.tags.get("dagster/partition") if run else None


def require_passing_checks(
    context: dg.AssetExecutionContext,
    upstream: dg.AssetKey,
    checks: Sequence[str] | None = None,
    *,
    partition: str | None = None,
) -> None:
    """Raise a `Failure` unless every blocking check of `upstream` passed for `partition` (by
    default this asset's own partition)."""
    if partition is None and context.has_partition_key:
        partition = context.partition_key
    blocked = blocking_failures(context.instance, upstream, partition, checks)
    if blocked:
        raise dg.Failure(
            description=(
                f"{upstream.to_user_string()} is not clean: "
                + "; ".join(b.reason for b in blocked)
                + ". Fix the cause and run the check again before materialising this."
            ),
            metadata={"blocked_by": dg.JsonMetadataValue([b.check for b in blocked])},
            allow_retries=False,
        )
