"""Projection assets materialised for real: Dagster run, sandbox over HTTP, checks evaluated."""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import Decision
from ez_pipelines.outbox.claims import claim_batch
from ez_pipelines.outbox.errors import Permanent
from ez_pipelines.outbox.settle import record_failure
from ez_pipelines.sandbox.client import SandboxClient
from tests.outbox.helpers import add_customers, rename

NETSUITE = dg.AssetKey(["netsuite", "customers"])
HUBSPOT = dg.AssetKey(["hubspot", "contacts"])


def materialize(
    defs: dg.Definitions, instance: dg.DagsterInstance, *keys: dg.AssetKey
) -> dg.ExecuteInProcessResult:
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, asset_selection=list(keys))


def metadata(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> dict[str, object]:
    (event,) = result.asset_materializations_for_node(key.path[0] + "__" + key.path[1])
    return {name: value.value for name, value in event.metadata.items()}


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e
        for e in result.get_asset_check_evaluations()
    }


def test_first_run_creates_every_customer_and_the_second_reports_the_change(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    ids = add_customers(sqlite_db, 5, SYSTEM_CLOCK.now())
    first = materialize(defs, instance, NETSUITE, HUBSPOT)
    rename(sqlite_db, ids[0], "Haddad-Khoury", SYSTEM_CLOCK.now())
    second = materialize(defs, instance, NETSUITE, HUBSPOT)

    assert first.success and second.success
    for key in (NETSUITE, HUBSPOT):
        assert metadata(first, key)["created"] == 5
        assert metadata(second, key)["updated"] == 1
        assert metadata(second, key)["pending_after"] == 0
    evaluations = checks(second)
    assert sorted(evaluations) == [
        "hubspot/contacts:no_dead_letters",
        "hubspot/contacts:sync_lag",
        "netsuite/customers:no_dead_letters",
        "netsuite/customers:sync_lag",
    ]
    assert all(e.passed for e in evaluations.values())


def test_vendor_faults_are_retried_within_the_run_and_reported(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sqlite_db: Database,
    sandbox_client: SandboxClient,
) -> None:
    add_customers(sqlite_db, 20, SYSTEM_CLOCK.now())
    sandbox_client.set_faults("netsuite", error_rate=0.3, seed=3)

    result = materialize(defs, instance, NETSUITE)

    values = metadata(result, NETSUITE)
    assert values["created"] == 20
    assert values["retried"] > 0
    assert values["dead_lettered"] == 0
    held = sandbox_client.records("netsuite")["counts"]["customer"]
    assert held == 20


def test_a_dead_letter_fails_the_error_check_and_an_old_change_fails_the_warn_check(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    long_ago = SYSTEM_CLOCK.now() - timedelta(hours=2)
    add_customers(sqlite_db, 1, long_ago, prefix="DEAD")
    (claim,) = claim_batch(
        sqlite_db,
        system="netsuite",
        entity="customer",
        worker="w",
        limit=1,
        lease_s=60,
        now=SYSTEM_CLOCK.now(),
    )
    with sqlite_db.write() as session:
        record_failure(
            session,
            claim,
            Permanent("INVALID_CONTENT"),
            Decision(None, "permanent"),
            now=SYSTEM_CLOCK.now(),
        )
    # HubSpot has an old change still waiting: its lag check sees two hours.
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance,
        asset_selection=[NETSUITE],
        raise_on_error=False,
    )
    lag_job = dg.define_asset_job(
        "hubspot_lag_only",
        selection=dg.AssetSelection.checks(dg.AssetCheckKey(HUBSPOT, "sync_lag")),
    )
    with_lag_job = dg.Definitions.merge(defs, dg.Definitions(jobs=[lag_job]))
    lag_result = with_lag_job.resolve_job_def("hubspot_lag_only").execute_in_process(
        instance=instance
    )

    dead = checks(result)["netsuite/customers:no_dead_letters"]
    assert not dead.passed
    assert dead.severity == dg.AssetCheckSeverity.ERROR
    assert dead.metadata["dead_letters"].value == 1
    assert result.success, "a failed check is reported, it does not fail the run"
    lag = checks(lag_result)["hubspot/contacts:sync_lag"]
    assert not lag.passed
    assert lag.severity == dg.AssetCheckSeverity.WARN
    assert lag.metadata["lag_s"].value >= 7200
