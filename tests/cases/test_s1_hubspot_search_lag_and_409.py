"""HubSpot's search trails writes by 30 s, and its create answers 409 for a known email.

The projection never searches before writing: it upserts on our contact key and adopts the
contact a 409 names. So a lost response, a contact a web form made first, or two spellings of
one email in one batch all end with one contact, our id mapped to it, and the outbox row done.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.tables import DONE
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.vendors.hubspot.support import (
    add_customer,
    hubspot_client,
    hubspot_dispatcher,
    hubspot_ids,
    hubspot_rows,
)

SEARCH_LAG_S = 30


@pytest.fixture
def hubspot(sandbox_client: SandboxClient) -> SandboxClient:
    sandbox_client.configure("hubspot", search_lag_s=SEARCH_LAG_S)
    return sandbox_client


def contacts(hubspot: SandboxClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = hubspot.records("hubspot")["contacts"]
    return found


def test_lost_upsert_response_is_retried_into_the_contact_it_created(
    sqlite_db: Database, sandbox: BackgroundServer, hubspot: SandboxClient
) -> None:
    client = hubspot_client(sandbox.base_url, timeout=(1.0, 0.3))
    dispatcher = hubspot_dispatcher(sqlite_db, client)
    add_customer(sqlite_db, "C1", "lead@x.test", given="Layla")
    hubspot.set_faults("hubspot", timeout_after_commit_rate=1.0, hang_s=0.8)

    started = time.monotonic()
    lost = dispatcher.dispatch_batch()
    hubspot.set_faults("hubspot")
    retried = dispatcher.drain(max_seconds=5)
    elapsed = time.monotonic() - started

    assert lost.errors == {"ResponseTimedOut": 1}
    assert (retried.updated, retried.created, retried.dead_lettered) == (1, 0, 0)
    assert elapsed < 5
    [contact] = contacts(hubspot)
    assert contact["id"] == "1001"
    assert contact["properties"]["ez_contact_key"] == "lead@x.test"
    assert hubspot_ids(sqlite_db) == {"C1": "1001"}
    row = hubspot_rows(sqlite_db)["C1"]
    assert (row.status, row.outcome, row.attempts) == (DONE, "updated", 2)
    # Search still cannot see the contact: a search-then-create retry would have made a second.
    assert client.search_by_email("lead@x.test") == []


def test_email_held_by_a_form_contact_maps_the_customer_to_1001(
    sqlite_db: Database, sandbox: BackgroundServer, hubspot: SandboxClient
) -> None:
    client = hubspot_client(sandbox.base_url)
    form_contact = client.create_contact({"email": "Lead@X.test", "firstname": "web form"})
    add_customer(sqlite_db, "C1", "lead@x.test", given="Layla")

    report = hubspot_dispatcher(sqlite_db, client).drain(max_seconds=5)

    assert form_contact.id == "1001"
    assert (report.updated, report.created, report.dead_lettered) == (1, 0, 0)
    [contact] = contacts(hubspot)
    assert contact["id"] == "1001"
    assert contact["properties"]["firstname"] == "Layla"
    assert contact["properties"]["ez_contact_key"] == "lead@x.test"
    assert hubspot_ids(sqlite_db) == {"C1": "1001"}
    row = hubspot_rows(sqlite_db)["C1"]
    assert (row.status, row.outcome, row.attempts) == (DONE, "updated", 1)
    # HubSpot did refuse the upsert for the email first; the projection adopted the contact.
    assert hubspot.stats("hubspot")["responses"]["207"] == 1


def test_two_spellings_of_one_email_in_a_batch_leave_exactly_one_contact(
    sqlite_db: Database, sandbox: BackgroundServer, hubspot: SandboxClient
) -> None:
    add_customer(sqlite_db, "C1", "A@x.test", given="Omar")
    add_customer(sqlite_db, "C2", "a@x.test", given="Huda")

    report = hubspot_dispatcher(sqlite_db, hubspot_client(sandbox.base_url)).drain(max_seconds=5)

    [contact] = contacts(hubspot)
    assert (report.created, report.linked, report.dead_lettered) == (1, 1, 0)
    assert hubspot_ids(sqlite_db) == {"C1": contact["id"], "C2": contact["id"]}
    assert {row.status for row in hubspot_rows(sqlite_db).values()} == {DONE}
    # Deduplicated before sending: one input went out, and HubSpot never had to refuse one.
    [upsert] = [r for r in hubspot.records("hubspot")["requests"] if r["path"].endswith("upsert")]
    assert len(upsert["body"]["inputs"]) == 1
    assert hubspot.stats("hubspot")["responses"] == {"200": 1}
