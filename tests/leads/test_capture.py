"""From stored webhook events to channel records: each channel's reading, and one person's
email in two cases and a WhatsApp number end to end."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.leads import record_lead_contact
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.capture import LEAD_SYSTEMS, capture_leads, read_crisp
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web import create_ops_app
from tests.leads.helpers import add_lead, membership, reviews, unified
from tests.ops import lead_deliveries as d


def test_one_person_across_three_channels_becomes_one_lead(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    app = create_ops_app(d.settings_for(tmp_path), sqlite_db, clock=clock)
    stamp = int(clock.now().timestamp() * 1000)
    form = d.hubspot_form(2001, 10, email="Sara.Q@Example.COM ", firstname="Sara",
                          lastname="Al Qasimi", phone="+971 50 222 3344")  # fmt: skip
    chat = d.crisp_message("session_sara", "it's sara.q@example.com", 7, "visitor77")
    whatsapp = d.whatsapp_message("wamid.S1", "971502223344", "Sara", "salam")
    with TestClient(app) as client:
        for path, raw, headers in (
            ("/webhooks/hubspot", form,
             d.hubspot_headers("http://testserver/webhooks/hubspot", form, stamp)),
            ("/webhooks/crisp", chat, d.crisp_headers(chat)),
            ("/webhooks/whatsapp", whatsapp, d.whatsapp_headers(whatsapp)),
        ):  # fmt: skip
            assert client.post(path, content=raw, headers=headers).status_code == 200

    reports = [capture_leads(sqlite_db, s, region="AE", now=clock.now()) for s in LEAD_SYSTEMS]
    report = unify_leads(sqlite_db, now=clock.now())

    assert [r.processed for r in reports] == [5, 1, 1]
    [lead] = unified(sqlite_db)
    assert (lead.full_name, lead.email, lead.phone) == (
        "Sara Al Qasimi",
        "Sara.Q@Example.COM",
        "+971502223344",
    )
    assert lead.hubspot_contact_id == "2001"
    assert set(membership(sqlite_db)) == {
        "hubspot:2001",
        "crisp:session_sara",
        "whatsapp:971502223344",
    }
    assert report.auto_merged == 2


def test_a_number_typed_with_a_digit_missing_reaches_a_person(
    sqlite_db: Database, clock: ManualClock
) -> None:
    add_lead(sqlite_db, "hubspot", "2001", "Zayed Al Falasi", email="zayed@example.test",
             now=clock.now())  # fmt: skip
    chat = d.crisp_message("session_z", "call me on 050 123 456", 9, "Zayed Al Falasi")
    [(data, _)] = read_crisp(chat, "AE")
    with sqlite_db.write() as session:
        record_lead_contact(session, data, now=clock.now(), default_region="AE")

    unify_leads(sqlite_db, now=clock.now())

    assert (data.phone, len(unified(sqlite_db))) == ("050 123 456", 2)
    [item] = reviews(sqlite_db, "open")
    assert '"phone": "missing"' in item.evidence


def test_an_older_property_change_arriving_later_does_not_overwrite_a_newer_one(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    app = create_ops_app(d.settings_for(tmp_path), sqlite_db, clock=clock)
    stamp = int(clock.now().timestamp() * 1000)
    changed_at = 1793606400000

    def change(event_id: int, value: str, occurred_at: int) -> bytes:
        return d.compact(
            [{"eventId": event_id, "subscriptionType": "contact.propertyChange",
              "objectId": 2002, "propertyName": "email", "propertyValue": value,
              "occurredAt": occurred_at, "portalId": 62515, "attemptNumber": 0}]
        )  # fmt: skip

    url = "http://testserver/webhooks/hubspot"
    with TestClient(app) as client:
        # The newer change first, then a retried delivery of the one a minute before it.
        for raw in (
            change(41, "new@example.test", changed_at + 60_000),
            change(40, "old@example.test", changed_at),
        ):
            headers = d.hubspot_headers(url, raw, stamp)
            assert client.post("/webhooks/hubspot", content=raw, headers=headers).status_code == 200
        capture_leads(sqlite_db, "hubspot", region="AE", now=clock.now())
        unify_leads(sqlite_db, now=clock.now())
        assert [lead.email for lead in unified(sqlite_db)] == ["new@example.test"]
        # And a later change still wins.
        raw = change(42, "newest@example.test", changed_at + 120_000)
        headers = d.hubspot_headers(url, raw, stamp)
        assert client.post("/webhooks/hubspot", content=raw, headers=headers).status_code == 200
        capture_leads(sqlite_db, "hubspot", region="AE", now=clock.now())

    unify_leads(sqlite_db, now=clock.now())
    [lead] = unified(sqlite_db)
    assert lead.email == "newest@example.test"
