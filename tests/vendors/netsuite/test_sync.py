"""Customers reach NetSuite through the outbox: created once, updated in place, refused alone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import Permanent
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.outbox.tables import DONE, OutboxRow
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.vendors.netsuite import contract_v1
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.errors import InvalidExternalId, NetSuiteRejected
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers
from tests.vendors.netsuite.support import CUSTOMER


@pytest.fixture
def projection(client: NetSuiteClient) -> Iterator[NetSuiteCustomers]:
    yield NetSuiteCustomers(client, subsidiary_id="1")


def add_customer(db: Database, index: int, now: datetime, family_name: str = "Haddad") -> str:
    customer_id = f"CUS-{index:04d}"
    with db.write() as session:
        upsert_customer(
            session,
            CustomerInput(
                customer_id,
                "Layla",
                f"{family_name}{index}",
                f"layla{index}@example.com",
                f"+9715012345{index:02d}",
            ),
            now=now,
        )
    return customer_id


def netsuite_refs(db: Database) -> dict[str, str]:
    with db.read() as session:
        refs = session.scalars(select(ExternalRef).where(ExternalRef.system == "netsuite"))
        return {ref.record_id: ref.vendor_id for ref in refs}


def test_new_customers_are_created_and_their_internal_ids_stored(
    sqlite_db: Database,
    clock: ManualClock,
    projection: NetSuiteCustomers,
    netsuite: NetSuiteStandIn,
) -> None:
    ids = [add_customer(sqlite_db, i, clock.now()) for i in range(3)]

    report = Dispatcher(sqlite_db, projection, clock=clock).dispatch_batch()

    assert report.created == 3
    held = {r["externalId"]: r for r in netsuite.store.snapshot()["customer"]}
    assert set(held) == set(ids)
    assert netsuite_refs(sqlite_db) == {eid: record["id"] for eid, record in held.items()}
    back = contract_v1.customer_from_record(held["CUS-0001"])
    assert back == {
        "id": "CUS-0001",
        "given_name": "Layla",
        "family_name": "Haddad1",
        "email": "layla1@example.com",
        "phone": "+971501234501",
    }


def test_a_renamed_customer_is_updated_in_place(
    sqlite_db: Database,
    clock: ManualClock,
    projection: NetSuiteCustomers,
    netsuite: NetSuiteStandIn,
) -> None:
    customer_id = add_customer(sqlite_db, 1, clock.now())
    dispatcher = Dispatcher(sqlite_db, projection, clock=clock)
    dispatcher.dispatch_batch()
    first_id = netsuite_refs(sqlite_db)[customer_id]

    add_customer(sqlite_db, 1, clock.now(), family_name="Nasser")
    report = dispatcher.dispatch_batch()

    assert report.updated == 1
    assert netsuite.store.counts()["customer"] == 1
    assert netsuite_refs(sqlite_db)[customer_id] == first_id
    updated = netsuite.store.find("customer", first_id)
    assert updated is not None
    assert updated["lastName"] == "Nasser1"
    with sqlite_db.read() as session:
        statuses = session.scalars(select(OutboxRow.status).where(OutboxRow.system == "netsuite"))
        assert set(statuses) == {DONE}


def test_each_record_of_a_push_succeeds_or_fails_on_its_own(
    projection: NetSuiteCustomers, netsuite: NetSuiteStandIn
) -> None:
    without_subsidiary = {k: v for k, v in CUSTOMER.items() if k != "subsidiary"}
    items = [
        Outbound("CUS-0001", CUSTOMER, None),
        Outbound("CUS-0002", CUSTOMER, "555"),
        Outbound("CUS-0003", without_subsidiary, None),
        Outbound("not an id", CUSTOMER, None),
        # Not JSON at all: a bug of ours, which must not take the other records down with it.
        Outbound("CUS-0005", {**CUSTOMER, "firstName": object()}, None),
    ]

    results = projection.push(items)

    assert set(results) == {item.record_id for item in items}
    assert isinstance(results["CUS-0001"], Pushed)
    assert results["CUS-0001"].outcome == "created"
    assert isinstance(results["CUS-0002"], Pushed)
    assert results["CUS-0002"].outcome == "updated"
    assert isinstance(results["CUS-0003"], NetSuiteRejected)
    assert isinstance(results["not an id"], InvalidExternalId)
    unexpected = results["CUS-0005"]
    assert type(unexpected) is Permanent
    assert "unexpected TypeError" in unexpected.message
    assert netsuite.store.counts()["customer"] == 2


def test_a_push_never_has_more_requests_in_flight_than_the_client_allows(
    projection: NetSuiteCustomers, netsuite: NetSuiteStandIn, client: NetSuiteClient
) -> None:
    netsuite.configure({"max_in_flight": 50})
    items = [Outbound(f"CUS-{i:04d}", CUSTOMER, None) for i in range(30)]

    results = projection.push(items)

    assert all(isinstance(result, Pushed) for result in results.values())
    assert 1 <= netsuite.max_in_flight_seen <= client.max_in_flight
