"""The HubSpot projection driven by the outbox dispatcher against the sandbox: one contact per
email, keyed by our contact key, never a duplicate, never another person's contact taken over."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.errors import Permanent, RateLimited
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.outbox.tables import DEAD, DONE
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

KEY = "ez_contact_key"


@pytest.fixture
def client(sandbox: BackgroundServer) -> HubSpotClient:
    return hubspot_client(sandbox.base_url)


def contacts(sandbox_client: SandboxClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = sandbox_client.records("hubspot")["contacts"]
    return [c for c in found if not c["archived"]]


def by_email(sandbox_client: SandboxClient) -> dict[str, dict[str, Any]]:
    return {
        (c["properties"].get("email") or "").casefold(): c["properties"]
        for c in contacts(sandbox_client)
    }


def paths(sandbox_client: SandboxClient) -> list[str]:
    return [str(r["path"]) for r in sandbox_client.records("hubspot")["requests"]]


def test_new_customer_is_upserted_under_its_email_key_and_its_contact_id_stored(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", " Sara.Q@Example.COM ")

    report = hubspot_dispatcher(sqlite_db, client).drain(max_seconds=5)

    assert report.created == 1
    [contact] = contacts(sandbox_client)
    properties = contact["properties"]
    assert properties["email"] == "Sara.Q@Example.COM"
    assert properties[KEY] == "sara.q@example.com"
    assert properties["lifecyclestage"] == "customer"
    assert properties["phone"] == "+971501234567"
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"]}
    assert hubspot_rows(sqlite_db)["C1"].status == DONE


def test_customer_without_email_gets_a_contact_keyed_by_its_id(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", None)

    hubspot_dispatcher(sqlite_db, client).drain(max_seconds=5)

    [contact] = contacts(sandbox_client)
    assert contact["properties"][KEY] == "customer:C1"
    assert not contact["properties"].get("email")


def test_a_change_updates_the_same_contact_through_its_key(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "a@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    add_customer(sqlite_db, "C1", "a@x.test", given="Sarah")

    report = dispatcher.drain(max_seconds=5)

    assert report.updated == 1
    [contact] = contacts(sandbox_client)
    assert contact["properties"]["firstname"] == "Sarah"
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"]}


def test_a_value_the_customer_removed_is_cleared_at_hubspot(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "a@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)

    add_customer(sqlite_db, "C1", "a@x.test", phone=None)
    dispatcher.drain(max_seconds=5)

    [contact] = contacts(sandbox_client)
    assert not contact["properties"].get("phone")


def test_a_value_a_form_gave_that_we_never_held_is_left_alone(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    client.create_contact({"email": "a@x.test", "phone": "+971509999999"})
    add_customer(sqlite_db, "C1", "a@x.test", phone=None)

    hubspot_dispatcher(sqlite_db, client).drain(max_seconds=5)

    [contact] = contacts(sandbox_client)
    assert contact["properties"]["phone"] == "+971509999999"
    assert contact["properties"][KEY] == "a@x.test"


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
    assert contact["properties"][KEY] == "family@x.test"
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"], "C2": contact["id"]}


def test_customer_leaving_a_shared_email_gets_its_own_contact_and_the_other_keeps_theirs(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "X", "family@x.test", given="Xavier")
    add_customer(sqlite_db, "Y", "family@x.test", given="Yara")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    shared = hubspot_ids(sqlite_db)["Y"]

    add_customer(sqlite_db, "X", "xavier@x.test", given="Xavier")
    dispatcher.drain(max_seconds=5)
    # Y's next, unrelated change must not pull the contact back or touch X's.
    add_customer(sqlite_db, "Y", "family@x.test", given="Yara", family="Q2")
    dispatcher.drain(max_seconds=5)

    emails = by_email(sandbox_client)
    assert sorted(emails) == ["family@x.test", "xavier@x.test"]
    assert emails["family@x.test"]["firstname"] == "Yara"
    assert emails["family@x.test"]["lastname"] == "Q2"
    assert emails["xavier@x.test"]["firstname"] == "Xavier"
    ids = hubspot_ids(sqlite_db)
    assert ids["Y"] == shared and ids["X"] != shared


def test_customer_alone_on_its_contact_moves_it_to_the_new_email(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "old@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    first_id = hubspot_ids(sqlite_db)["C1"]

    add_customer(sqlite_db, "C1", "new@x.test")
    dispatcher.drain(max_seconds=5)

    [contact] = contacts(sandbox_client)
    assert contact["id"] == first_id
    assert contact["properties"]["email"] == "new@x.test"
    assert contact["properties"][KEY] == "new@x.test"


def test_new_email_held_by_a_form_contact_adopts_it_and_archives_the_old_one(
    sqlite_db: Database, client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "old@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    form_contact = client.create_contact({"email": "new@x.test", "firstname": "Form"})

    add_customer(sqlite_db, "C1", "new@x.test", given="Sara")
    dispatcher.drain(max_seconds=5)

    [contact] = contacts(sandbox_client)
    assert contact["id"] == form_contact.id
    assert contact["properties"]["firstname"] == "Sara"
    assert hubspot_ids(sqlite_db) == {"C1": form_contact.id}
    assert hubspot_rows(sqlite_db)["C1"].status == DONE


def test_email_held_by_a_contact_keyed_to_another_customer_goes_to_a_person(
    sqlite_db: Database,
    client: HubSpotClient,
    sandbox_client: SandboxClient,
    sandbox: BackgroundServer,
) -> None:
    add_customer(sqlite_db, "C1", None, given="Noor")
    add_customer(sqlite_db, "C2", "c2@x.test")
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    dispatcher.drain(max_seconds=5)
    # A salesperson typed C2's new email onto C1's contact by hand.
    client.update_contact(hubspot_ids(sqlite_db)["C1"], {"email": "shared@x.test"})

    add_customer(sqlite_db, "C2", "shared@x.test")
    report = dispatcher.drain(max_seconds=5)

    row = hubspot_rows(sqlite_db)["C2"]
    assert report.dead_lettered == 1
    assert row.status == DEAD
    assert "customer:C1" in (row.dead_reason or "")
    assert by_email(sandbox_client)["shared@x.test"][KEY] == "customer:C1"


def test_push_answers_every_record_when_one_is_refused(client: HubSpotClient) -> None:
    projection = HubSpotContacts(client)
    good = Outbound("C1", {"email": "a@x.test", KEY: "a@x.test"})
    bad = Outbound("C2", {"email": "not-an-email", KEY: "not-an-email"})

    results = projection.push([good, bad])

    assert isinstance(results["C1"], Pushed)
    assert type(results["C2"]) is Permanent


def test_push_while_rate_limited_fails_every_record_retryably(
    client: HubSpotClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("hubspot", rate_limited_for_s=60)
    projection = HubSpotContacts(client)
    items = [Outbound(f"C{n}", {"email": f"g{n}@x.test", KEY: f"g{n}@x.test"}) for n in range(3)]
    moving = Outbound(
        "C9", {"email": "g9@x.test", KEY: "g9@x.test"}, vendor_id="1001", vendor_key="old@x.test"
    )

    results = projection.push([*items, moving])

    assert set(results) == {"C0", "C1", "C2", "C9"}
    assert all(isinstance(r, RateLimited) for r in results.values())


def test_contact_archived_at_hubspot_is_recreated_on_the_next_change(
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
