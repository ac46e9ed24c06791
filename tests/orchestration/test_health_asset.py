"""`ops/integration_health` as Dagster runs it: a table per integration, history, and checks."""

from __future__ import annotations

import dagster as dg

from ez_pipelines.assets.health import integration_health_asset
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.tables import DEAD, OutboxRow
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.health import HealthResource
from tests.outbox.helpers import add_customers


def materialize(db: Database, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [integration_health_asset],
        resources={
            "database": DatabaseResource(url=db.engine.url.render_as_string(hide_password=False)),
            "health": HealthResource(lag_bound_s=900),
        },
        instance=instance,
    )


def test_health_reports_every_integration_keeps_history_and_judges_dead_letters(
    sqlite_db: Database, instance: dg.DagsterInstance
) -> None:
    add_customers(sqlite_db, 3, SYSTEM_CLOCK.now())
    with sqlite_db.write() as session:
        row = session.query(OutboxRow).filter_by(system="netsuite").first()
        assert row is not None
        row.status, row.dead_reason = DEAD, "400 invalid subsidiary"

    materialize(sqlite_db, instance)
    result = materialize(sqlite_db, instance)

    [materialization] = result.asset_materializations_for_node("ops__integration_health")
    metadata = materialization.metadata
    assert {"netsuite", "hubspot", "checkout", "crisp", "whatsapp", "history"} <= set(metadata)
    netsuite = metadata["netsuite"].value
    assert isinstance(netsuite, dg.TableMetadataValue)
    [out] = netsuite.records
    assert (out.data["direction"], out.data["dead_letters"], out.data["queue_depth"]) == (
        "out",
        1,
        2,
    )
    assert [r.data["direction"] for r in metadata["checkout"].value.records] == ["out", "in"]
    history = metadata["history"].value.records
    assert [r.data["integration"] for r in history].count("netsuite") == 2
    assert metadata["status_by_integration"].value["netsuite"]["status"] == "red"

    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    # Three checks per integration sending, two per integration receiving.
    assert len(evaluations) == 3 * 3 + 2 * 4
    dead = evaluations["netsuite_no_dead_letters"]
    assert (dead.passed, dead.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert dead.description == "netsuite: dead letters 1 (threshold 0)"
    assert evaluations["hubspot_no_dead_letters"].passed
    lag = evaluations["hubspot_sync_lag"]
    assert lag.passed and lag.severity == dg.AssetCheckSeverity.WARN
