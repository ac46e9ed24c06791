"""The HubSpot projection driven by the outbox dispatcher against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.errors import Permanent, RateLimited
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.outbox.tables import DONE, PENDING
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.sync import HubSpotContacts
from tests.vendors.hubspot.support import (
    add_customer,
    hubspot_client,
    hubspot_dispatcher,
    hubspot_ids,
    hubspot_rows,
)


@pytest.fixture
def client(sandbox: BackgroundServer) -> HubSpotClient:
    return hubspot_client(sandbox.base_url)


def contacts(sandbox_client: SandboxClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sandbox_client.records("hubspot")["contacts"]
    return [c for c in found if not c["archived"]]


def paths(sandbox_client: SandboxClient) -> list[str]:
    return [str(r["path"]) for r in sandbox_client.records("hubspot")["requests"]]


def test_new_customer_is_upserted_and_its_contact_id_stored(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", " Sara.Q@Example.COM ")

    report = hubspot_dispatcher(sqlite_db, client).drain(max_seconds=5)

    assert report.created == 1
    [contact] = contacts(sandbox_client)
    properties = contact["properties"]
    assert properties["email"] == "Sara.Q@Example.COM"
    assert properties["ez_customer_id"] == "C1"
    assert properties["lifecyclestage"] == "customer"
    assert properties["phone"] == "+971501234567"
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"]}
    assert hubspot_rows(sqlite_db)["C1"].status == DONE


def test_customer_with_a_known_contact_is_updated_by_hubspot_id(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "a@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    add_customer(sqlite_db, "C1", "a@x.test", given="Sarah")

    report = dispatcher.drain(max_seconds=5)

    assert report.updated == 1
    assert paths(sandbox_client)[-1] == "/crm/v3/objects/contacts/batch/update"
    [contact] = contacts(sandbox_client)
    assert contact["properties"]["firstname"] == "Sarah"


def test_stale_hubspot_id_falls_back_to_the_upsert(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    client: HubSpotClient,
    sandbox_client: SandboxClient,
) -> None:
    add_customer(sqlite_db, "C1", "a@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    old_id = hubspot_ids(sqlite_db)["C1"]
    deleted = requests.delete(
        f"{sandbox.base_url}/hubspot/crm/v3/objects/contacts/{old_id}",
        headers={"Authorization": f"Bearer {client.settings.token}"},
        timeout=5,
    )
    assert deleted.status_code == 204
    add_customer(sqlite_db, "C1", "a@x.test", given="Sarah")

    report = dispatcher.drain(max_seconds=5)

    assert report.created == 1
    [contact] = contacts(sandbox_client)
    assert contact["id"] != old_id
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"]}


def test_two_customers_sharing_an_email_share_one_contact_last_write_wins(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "Family@x.test", given="Omar")
    add_customer(sqlite_db, "C2", "family@x.test", given="Huda")
    dispatcher = hubspot_dispatcher(sqlite_db, client)

    first = dispatcher.drain(max_seconds=5)
    add_customer(sqlite_db, "C1", "Family@x.test", given="Omar Jr")
    second = dispatcher.drain(max_seconds=5)

    assert (first.created, first.linked, second.updated) == (1, 1, 1)
    [contact] = contacts(sandbox_client)
    assert contact["properties"]["firstname"] == "Omar Jr"
    assert contact["properties"]["ez_customer_id"] == "C1"
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"], "C2": contact["id"]}


def test_email_moved_onto_another_contact_waits_as_a_conflict(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "old@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    form_contact = client.create_contact({"email": "new@x.test"})
    add_customer(sqlite_db, "C1", "new@x.test")

    report = dispatcher.dispatch_batch()

    # Two HubSpot contacts now describe one customer; merging them is a person's decision.
    assert report.errors == {"ContactExists": 1}
    row = hubspot_rows(sqlite_db)["C1"]
    assert (row.status, row.last_error_kind) == (PENDING, "conflict")
    assert form_contact.id in str(row.last_error)


def test_push_answers_every_record_when_one_is_refused(client: HubSpotClient) -> None:
    projection = HubSpotContacts(client)
    good = Outbound("C1", {"email": "a@x.test", "ez_customer_id": "C1"}, None)
    bad = Outbound("C2", {"email": "not-an-email", "ez_customer_id": "C2"}, None)

    results = projection.push([good, bad])

    assert isinstance(results["C1"], Pushed)
    assert type(results["C2"]) is Permanent


def test_push_while_rate_limited_fails_every_record_retryably(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", rate_limited_for_s=60)
    projection = HubSpotContacts(client)
    items = [Outbound(f"C{n}", {"email": f"g{n}@x.test"}, None) for n in range(3)]
    known = Outbound("C9", {"email": "g9@x.test"}, "1001")

    results = projection.push([*items, known])

    assert set(results) == {"C0", "C1", "C2", "C9"}
    assert all(isinstance(r, RateLimited) for r in results.values())
