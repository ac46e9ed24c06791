"""`ops/integration_health`: every integration's figures, kept as history and judged by checks.

Materialised every five minutes by its schedule. Its metadata holds one table per integration
and a table of the last day's samples; the samples are also stored, so the ops page can chart
them, and plotted by the Dagster UI from the numeric entries.
"""

from datetime import timedelta

import dagster as dg

from ez_pipelines.assets.keys import INTEGRATION_HEALTH
from ez_pipelines.checks.health import HEALTH_CHECK_SPECS, health_check_results
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.ops.health import IntegrationHealth, integration_health
from ez_pipelines.ops.history import Sample, record_samples, samples_since
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.health import HealthResource

HISTORY = timedelta(days=1)
HISTORY_POINTS = 48
"""Samples per integration in the metadata's history table; the page charts every sample."""

_FIGURES = [
    ("direction", "string"), ("queue_depth", "int"), ("due", "int"), ("in_flight", "int"),
    ("waiting_retry", "int"), ("error_rate", "float"), ("p50_lag_s", "float"),
    ("p95_lag_s", "float"), ("last_success", "string"), ("dead_letters", "int"),
    ("received", "int"), ("rejected", "int"), ("duplicate", "int"), ("last_received", "string"),
]  # fmt: skip
_HISTORY = [
    ("taken_at", "string"), ("integration", "string"), ("status", "string"),
    ("queue_depth", "int"), ("p95_lag_s", "float"), ("error_rate", "float"),
    ("dead_letters", "int"),
]  # fmt: skip


def _schema(columns: list[tuple[str, str]]) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(name, kind) for name, kind in columns])


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _record(**values: object) -> dg.TableRecord:
    # Every record of a table carries every column; a figure of the other direction is empty.
    return dg.TableRecord({name: values.get(name) for name, _ in _FIGURES})  # type: ignore[misc]


def integration_table(health: IntegrationHealth) -> dg.TableMetadataValue:
    rows = []
    if (out := health.outbound) is not None:
        rows.append(
            _record(
                **{
                    "direction": "out",
                    "queue_depth": out.queue_depth,
                    "due": out.due,
                    "in_flight": out.in_flight,
                    "waiting_retry": out.waiting_retry,
                    "error_rate": _rounded(out.error_rate, 4),
                    "p50_lag_s": _rounded(out.p50_lag_s),
                    "p95_lag_s": _rounded(out.p95_lag_s),
                    "last_success": out.last_success.isoformat() if out.last_success else None,
                    "dead_letters": out.dead_letters,
                }
            )
        )
    if (inbound := health.inbound) is not None:
        last = inbound.last_received_at
        rows.append(
            _record(
                **{
                    "direction": "in",
                    "queue_depth": health.inbound_waiting,
                    "received": inbound.received,
                    "rejected": inbound.rejected,
                    "duplicate": inbound.duplicate,
                    "last_received": last.isoformat() if last else None,
                }
            )
        )
    return dg.TableMetadataValue(records=rows, schema=_schema(_FIGURES))


def history_table(samples: dict[str, list[Sample]]) -> dg.TableMetadataValue:
    rows = []
    for points in samples.values():
        step = max(1, -(-len(points) // HISTORY_POINTS))
        for sample in points[::step]:
            rows.append(
                dg.TableRecord(
                    {
                        "taken_at": sample.taken_at.isoformat(timespec="seconds"),
                        "integration": sample.integration,
                        "status": sample.status,
                        "queue_depth": sample.queue_depth,
                        "p95_lag_s": _rounded(sample.p95_lag_s),
                        "error_rate": _rounded(sample.error_rate, 4),
                        "dead_letters": sample.dead_letters,
                    }
                )
            )
    return dg.TableMetadataValue(records=rows, schema=_schema(_HISTORY))


@dg.asset(
    key=INTEGRATION_HEALTH,
    group_name="ops",
    kinds={"python"},
    check_specs=HEALTH_CHECK_SPECS,
)
def integration_health_asset(
    context: dg.AssetExecutionContext, database: DatabaseResource, health: HealthResource
) -> dg.MaterializeResult:
    """Queue depth, error rate, sync lag and last success of every integration, both ways."""
    db, now, thresholds = database.database(), SYSTEM_CLOCK.now(), health.thresholds()
    healths = integration_health(db, now=now, thresholds=thresholds)
    record_samples(db, healths)
    metadata: dict[str, dg.RawMetadataValue] = {
        h.integration: integration_table(h) for h in healths
    }
    metadata["history"] = history_table(samples_since(db, now - HISTORY))
    metadata["status_by_integration"] = dg.JsonMetadataValue(
        {
            h.integration: {"status": h.status, "findings": [f.sentence() for f in h.findings]}
            for h in healths
        }
    )
    for h in healths:
        # Numeric entries are what the UI plots across materialisations.
        metadata[f"{h.integration}_queue_depth"] = h.queue_depth
        metadata[f"{h.integration}_p95_lag_s"] = dg.FloatMetadataValue(_rounded(h.p95_lag_s))
        metadata[f"{h.integration}_error_rate"] = dg.FloatMetadataValue(_rounded(h.error_rate, 4))
    context.log.info(
        "health %s", ", ".join(f"{h.integration}={h.status}" for h in healths) or "no integrations"
    )
    return dg.MaterializeResult(
        metadata=metadata, check_results=list(health_check_results(healths, thresholds, now=now))
    )
