"""The outbox sensor: one situation per test, each with a real store and a test instance."""

from __future__ import annotations

import json
from datetime import timedelta

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import Decision
from ez_pipelines.outbox.claims import claim_batch
from ez_pipelines.outbox.errors import Unavailable
from ez_pipelines.outbox.settle import record_failure
from ez_pipelines.sensors.outbox import PROJECTION_TAG
from tests.outbox.helpers import add_customers


def evaluate(
    defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None = None
) -> dg.SensorResult:
    sensor = defs.resolve_sensor_def("outbox_due_rows")
    with dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        resources={"database": (defs.resources or {})["database"]},
        definitions=defs,
    ) as context:
        result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return result


def keys(result: dg.SensorResult) -> list[str]:
    return sorted(
        key.to_user_string()
        for request in result.run_requests or []
        for key in request.asset_selection or []
    )


def test_empty_outbox_skips_and_says_nothing_is_queued(
    defs: dg.Definitions, instance: dg.DagsterInstance
) -> None:
    result = evaluate(defs, instance)

    assert result.run_requests == []
    assert result.skip_reason is not None
    assert "netsuite/customer: nothing queued" in str(result.skip_reason.skip_message)


def test_due_rows_request_one_run_per_projection_and_advance_the_cursor(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    add_customers(sqlite_db, 3, SYSTEM_CLOCK.now() - timedelta(seconds=1))

    first = evaluate(defs, instance)
    second = evaluate(defs, instance, cursor=first.cursor)

    assert keys(first) == ["hubspot/contacts", "netsuite/customers"]
    assert [r.run_key for r in first.run_requests or []] == [
        "netsuite/customer:1",
        "hubspot/customer:1",
    ]
    assert [r.tags[PROJECTION_TAG] for r in first.run_requests or []] == [
        "netsuite/customer",
        "hubspot/customer",
    ]
    assert json.loads(first.cursor or "{}")["netsuite/customer"]["requests"] == 1
    # The same rows are still due (no run has happened): the next request gets a new key.
    assert [r.run_key for r in second.run_requests or []] == [
        "netsuite/customer:2",
        "hubspot/customer:2",
    ]


def test_a_projection_whose_run_is_in_progress_is_not_requested_again(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    add_customers(sqlite_db, 1, SYSTEM_CLOCK.now() - timedelta(seconds=1))
    instance.add_run(
        DagsterRun(
            job_name="__ASSET_JOB",
            run_id="f" * 36,
            status=dg.DagsterRunStatus.STARTED,
            tags={PROJECTION_TAG: "netsuite/customer"},
        )
    )

    result = evaluate(defs, instance)

    assert keys(result) == ["hubspot/contacts"]


def test_rows_waiting_to_retry_skip_with_the_next_retry_time(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    now = SYSTEM_CLOCK.now()
    add_customers(sqlite_db, 1, now - timedelta(seconds=1))
    for system in ("netsuite", "hubspot"):
        (claim,) = claim_batch(
            sqlite_db, system=system, entity="customer", worker="w", limit=1, lease_s=60, now=now
        )
        retry_at = now + timedelta(minutes=5)
        with sqlite_db.write() as session:
            record_failure(session, claim, Unavailable("503"), Decision(retry_at), now=now)

    result = evaluate(defs, instance)

    assert result.run_requests == []
    message = str(result.skip_reason.skip_message if result.skip_reason else "")
    assert f"1 waiting to retry, next at {retry_at:%H:%M:%S}Z" in message
