"""NetSuite: an account that refuses a third request in flight.

NetSuite's concurrency limit counts every integration of the account. Our client holds its own
share under a cap; when another integration takes a slot, our requests meet
CONCURRENCY_LIMIT_EXCEEDED and wait out backoff, and every customer still arrives exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.tables import DONE, OutboxAttempt, OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers
from tests.vendors.netsuite.support import settings_for, standin_of, wait_until_in_flight

ACCOUNT_LIMIT = 2
CUSTOMERS = 20
POLICY = RetryPolicy(base_s=0.05, cap_s=0.4)


@pytest.fixture
def settings(sandbox: BackgroundServer, sandbox_client: SandboxClient) -> NetSuiteSettings:
    sandbox_client.configure("netsuite", max_in_flight=ACCOUNT_LIMIT)
    return settings_for(sandbox, max_in_flight=ACCOUNT_LIMIT)


@pytest.fixture
def dispatcher(sqlite_db: Database, settings: NetSuiteSettings) -> Iterator[Dispatcher]:
    with NetSuiteClient(settings, timeout=(1.0, 3.0)) as client:
        projection = NetSuiteCustomers(client, subsidiary_id=settings.subsidiary_id)
        yield Dispatcher(sqlite_db, projection, policy=POLICY, clock=SYSTEM_CLOCK)


def add_customers(db: Database) -> list[str]:
    ids = [f"CUS-{i:04d}" for i in range(CUSTOMERS)]
    with db.write() as session:
        for i, customer_id in enumerate(ids):
            upsert_customer(
                session,
                CustomerInput(customer_id, "Omar", f"Saleh{i}", f"omar{i}@example.com"),
                now=SYSTEM_CLOCK.now(),
            )
    return ids


def netsuite_rows(db: Database) -> list[OutboxRow]:
    with db.read() as session:
        query = select(OutboxRow).where(OutboxRow.system == "netsuite").order_by(OutboxRow.id)
        return list(session.scalars(query))


def failed_attempts(db: Database) -> list[OutboxAttempt]:
    with db.read() as session:
        return list(session.scalars(select(OutboxAttempt).order_by(OutboxAttempt.id)))


def assert_each_customer_synced_once(
    sandbox: BackgroundServer, db: Database, ids: list[str]
) -> None:
    held = standin_of(sandbox).store.snapshot()["customer"]
    assert sorted(record["externalId"] for record in held) == ids
    rows = netsuite_rows(db)
    assert [row.record_id for row in rows] == ids
    assert {row.status for row in rows} == {DONE}
    by_external_id = {record["externalId"]: record["id"] for record in held}
    assert {row.record_id: row.vendor_id for row in rows} == by_external_id


def test_twenty_customers_under_a_limit_of_two_all_sync_without_a_refusal(
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    sqlite_db: Database,
    dispatcher: Dispatcher,
) -> None:
    # Each request takes a moment, so our two workers do overlap.
    sandbox_client.set_faults("netsuite", latency_ms=20)
    ids = add_customers(sqlite_db)

    report = dispatcher.drain(max_seconds=20)

    assert report.created == CUSTOMERS
    assert_each_customer_synced_once(sandbox, sqlite_db, ids)
    stats = sandbox_client.stats("netsuite")
    assert stats["max_in_flight_seen"] == ACCOUNT_LIMIT
    assert "429" not in stats["responses"]
    for row in netsuite_rows(sqlite_db):
        assert row.attempts == 1
        assert row.next_attempt_at <= (row.completed_at or row.next_attempt_at)


def test_another_integration_holding_a_slot_forces_retries_yet_each_customer_syncs_once(
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    sqlite_db: Database,
    settings: NetSuiteSettings,
    dispatcher: Dispatcher,
) -> None:
    ids = add_customers(sqlite_db)
    netsuite = standin_of(sandbox)

    # Another integration of the account runs a slow request, holding one of the two slots.
    sandbox_client.set_faults("netsuite", latency_ms=1500)
    other = NetSuiteClient(replace(settings, max_in_flight=1), timeout=(1.0, 5.0))
    slow_read = threading.Thread(target=other.get, args=("customer", "eid:ELSEWHERE-1"))
    slow_read.start()
    wait_until_in_flight(netsuite, 1)
    sandbox_client.set_faults("netsuite", latency_ms=20)

    report = dispatcher.drain(max_seconds=30)
    slow_read.join()
    other.close()

    assert report.created == CUSTOMERS
    assert_each_customer_synced_once(sandbox, sqlite_db, ids)
    assert sandbox_client.stats("netsuite")["responses"]["429"] > 0
    attempts = failed_attempts(sqlite_db)
    assert attempts
    assert {a.error_type for a in attempts} == {"NetSuiteConcurrencyLimited"}
    assert {(a.kind, a.decision, a.http_status) for a in attempts} == {("retryable", "retry", 429)}
    rows = {row.id: row for row in netsuite_rows(sqlite_db)}
    for attempt in attempts:
        assert attempt.retry_at is not None
        assert attempt.retry_at >= attempt.at
    for row_id, row in rows.items():
        mine = [a for a in attempts if a.outbox_id == row_id]
        # One attempt per refusal plus the one that went through; a retried row was due when
        # its last refusal said.
        assert row.attempts == len(mine) + 1
        if mine:
            assert row.next_attempt_at == mine[-1].retry_at
    # Our two plus the other integration's one; the stand-in refused what went beyond two.
    assert standin_of(sandbox).max_in_flight_seen <= ACCOUNT_LIMIT + 1
