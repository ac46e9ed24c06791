"""Two leads found to be one person end as one HubSpot contact: the newer lead's contact is
merged into the older one's, and merging again changes nothing."""

from __future__ import annotations

import dagster as dg

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.demo.leads_demo import leads_summary
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.settings import HubSpotSettings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.errors import ContactNotFound
from ez_pipelines.vendors.hubspot.lead_merge import Retired, merge_retired
from tests.leads.helpers import add_lead, unified
from tests.orchestration.test_lead_assets import (
    LEAD_CONTACTS,
    UNIFIED,
    live_contacts,
    materialize,
)


def hubspot_client(sandbox_client: SandboxClient) -> HubSpotClient:
    settings = HubSpotSettings(
        f"{sandbox_client.base_url}/hubspot", "ez-sandbox-hubspot-token", 190, 10.0,
        "ez_contact_key",
    )  # fmt: skip
    return HubSpotClient(settings, timeout=(2.0, 5.0))


def test_joined_leads_leave_one_contact_at_hubspot(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sqlite_db: Database,
    sandbox_client: SandboxClient,
) -> None:
    now = SYSTEM_CLOCK.now()
    add_lead(sqlite_db, "crisp", "session_1", "Sara Qasim", email="sara.q@example.test", now=now)
    add_lead(sqlite_db, "whatsapp", "971502223344", "Sara Qasim", phone="971502223344", now=now)
    assert materialize(defs, instance, UNIFIED, LEAD_CONTACTS).success
    before = {c["ez_lead_id"]: c["id"] for c in live_contacts(sandbox_client)}
    assert set(before) == {"LD-00000001", "LD-00000002"}

    # A later chat carries both the email and the number: the two leads are one person.
    add_lead(sqlite_db, "crisp", "session_2", "Sara Qasim", email="sara.q@example.test",
             phone="050 222 3344", now=now)  # fmt: skip
    assert materialize(defs, instance, UNIFIED, LEAD_CONTACTS).success
    assert materialize(defs, instance, UNIFIED, LEAD_CONTACTS).success

    [lead] = unified(sqlite_db)
    [contact] = live_contacts(sandbox_client)
    assert (lead.id, contact["id"]) == ("LD-00000001", before["LD-00000001"])
    assert (contact["email"], contact["phone"], contact["ez_whatsapp_ids"]) == (
        "sara.q@example.test", "+971502223344", "971502223344")  # fmt: skip
    with hubspot_client(sandbox_client) as client:
        try:
            gone = client.get_contact(before["LD-00000002"])
        except ContactNotFound:
            gone = None
        merged = client.get_contact(contact["id"], properties=("hs_merged_object_ids",))
    assert gone is None
    assert merged.properties["hs_merged_object_ids"] == before["LD-00000002"]


def test_merging_an_already_merged_contact_again_succeeds(sandbox_client: SandboxClient) -> None:
    with hubspot_client(sandbox_client) as client:
        primary = client.create_contact({"email": "omar@example.test", "firstname": "Omar"})
        other = client.create_contact({"phone": "+971501234567", "firstname": "Omar"})
        retired = {"LD-00000002": Retired("LD-00000002", "LD-00000001", primary.id)}
        item = Outbound("LD-00000002", {"merged_into": "LD-00000001"}, vendor_id=other.id)

        first = merge_retired(client, [item], retired, {})
        again = merge_retired(client, [item], retired, {})
        kept = client.get_contact(primary.id)

    expected = Pushed(primary.id, "linked", released=True)
    assert first == {"LD-00000002": expected}
    assert again == {"LD-00000002": expected}
    assert (kept.properties["email"], kept.properties["phone"]) == (
        "omar@example.test", "+971501234567")  # fmt: skip
    assert [c["id"] for c in live_contacts(sandbox_client)] == [primary.id]


def test_the_demo_verdict_fails_on_a_contact_no_live_lead_names(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sqlite_db: Database,
    sandbox_client: SandboxClient,
) -> None:
    add_lead(sqlite_db, "crisp", "session_1", "Sara Qasim", email="sara.q@example.test",
             now=SYSTEM_CLOCK.now())  # fmt: skip
    assert materialize(defs, instance, UNIFIED, LEAD_CONTACTS).success
    clean = leads_summary(sqlite_db, sandbox_client)

    with hubspot_client(sandbox_client) as client:
        # What a retired lead's contact looked like when nothing merged it away.
        client.create_contact({"phone": "+971502223344", "ez_lead_id": "LD-00000002",
                               "lifecyclestage": "lead"})  # fmt: skip
    orphaned = leads_summary(sqlite_db, sandbox_client)

    assert (clean["ok"], clean["hubspot_contacts"], clean["orphan_contacts"]) == (True, 1, 0)
    assert (orphaned["ok"], orphaned["hubspot_contacts"], orphaned["orphan_contacts"]) == (
        False, 2, 1)  # fmt: skip
