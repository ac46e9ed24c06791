"""Leads through Dagster: channel records unified, checks evaluated, and HubSpot holding one
contact per person, the form's own contact reused, conversations linked."""

from __future__ import annotations

import dagster as dg

from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.settings import HubSpotSettings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from tests.leads.helpers import add_lead, unified

UNIFIED = dg.AssetKey(["leads", "unified"])
LEAD_CONTACTS = dg.AssetKey(["hubspot", "lead_contacts"])
CUSTOMER_CONTACTS = dg.AssetKey(["hubspot", "contacts"])


def materialize(
    defs: dg.Definitions, instance: dg.DagsterInstance, *keys: dg.AssetKey
) -> dg.ExecuteInProcessResult:
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, asset_selection=list(keys))


def live_contacts(sandbox_client: SandboxClient) -> list[dict[str, str]]:
    contacts = sandbox_client.records("hubspot")["contacts"]
    return [c["properties"] | {"id": c["id"]} for c in contacts if not c["archived"]]


def form_contact(sandbox_client: SandboxClient) -> str:
    settings = HubSpotSettings(
        f"{sandbox_client.base_url}/hubspot", "ez-sandbox-hubspot-token", 190, 10.0,
        "ez_contact_key",
    )  # fmt: skip
    with HubSpotClient(settings, timeout=(2.0, 5.0)) as client:
        made = client.create_contact({"email": "Sara.Q@Example.COM", "firstname": "Sara"})
    return made.id


def test_three_channels_reach_hubspot_as_the_forms_one_contact(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sqlite_db: Database,
    sandbox_client: SandboxClient,
) -> None:
    now = SYSTEM_CLOCK.now()
    contact_id = form_contact(sandbox_client)
    add_lead(sqlite_db, "hubspot", contact_id, "Sara Qasim", email="Sara.Q@Example.COM",
             phone="+971 50 222 3344", now=now)  # fmt: skip
    add_lead(sqlite_db, "crisp", "session_sara", "sara", email="sara.q@example.com", now=now)
    add_lead(sqlite_db, "whatsapp", "971502223344", "Sara Q", phone="971502223344", now=now)

    result = materialize(defs, instance, UNIFIED, LEAD_CONTACTS)

    assert result.success
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["duplicate_rate"] and checks["oldest_review_age"]
    [contact] = live_contacts(sandbox_client)
    assert contact["id"] == contact_id
    assert (contact["ez_crisp_sessions"], contact["ez_whatsapp_ids"]) == (
        "session_sara",
        "971502223344",
    )
    assert (contact["ez_contact_key"], contact["lifecyclestage"], contact["phone"]) == (
        "sara.q@example.com",
        "lead",
        "+971502223344",
    )


def test_a_lead_who_books_is_the_customer_on_the_same_contact(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    sqlite_db: Database,
    sandbox_client: SandboxClient,
) -> None:
    now = SYSTEM_CLOCK.now()
    add_lead(sqlite_db, "crisp", "session_sara", "Sara Qasim", email="sara.q@example.test",
             now=now)  # fmt: skip
    assert materialize(defs, instance, UNIFIED, LEAD_CONTACTS).success

    with sqlite_db.write() as session:
        upsert_customer(
            session, CustomerInput("C-0042", "Sara", "Qasim", "Sara.Q@example.test"), now=now
        )
    result = materialize(defs, instance, UNIFIED, CUSTOMER_CONTACTS, LEAD_CONTACTS)

    assert result.success
    [lead] = unified(sqlite_db)
    assert lead.customer_id == "C-0042"
    [contact] = live_contacts(sandbox_client)
    assert (contact["lifecyclestage"], contact["ez_crisp_sessions"]) == ("customer", "session_sara")
