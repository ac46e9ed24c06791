"""The demo's leads: prospects write in through the three channel stand-ins, and the verdict
compares our unified leads with the contacts HubSpot ends up holding."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.tables import DECIDED, OPEN, LeadReview, UnifiedLead
from ez_pipelines.outbox.tables import DEAD, PENDING, OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.scenario import Scenario
from ez_pipelines.sandbox.scenario_leads import LeadTraffic, generate_leads
from ez_pipelines.settings import Settings

DUPLICATE_RATE = 0.2
SENDERS = 6
_TIMEOUT_S = (2.0, 30.0)


def lead_traffic(scenario: Scenario, prospects: int) -> LeadTraffic:
    """Prospects who are none of the scenario's customers (those would be conversions)."""
    avoid = {c.email.strip().casefold() for c in scenario.final_customers() if c.email}
    return generate_leads(scenario.seed + 1, prospects, avoid=frozenset(avoid))


def configure_channels(sandbox: SandboxClient, settings: Settings, receiver_base: str) -> None:
    leads = settings.leads
    sandbox.configure(
        "hubspot",
        webhook_url=f"{receiver_base}/webhooks/hubspot",
        client_secret=leads.hubspot_client_secret,
        webhook_duplicate_rate=DUPLICATE_RATE,
    )
    sandbox.configure(
        "crisp",
        webhook_url=f"{receiver_base}/webhooks/crisp",
        secret=leads.crisp_signing_secret,
        duplicate_rate=DUPLICATE_RATE,
    )
    sandbox.configure(
        "whatsapp",
        webhook_url=f"{receiver_base}/webhooks/whatsapp",
        secret=leads.whatsapp_app_secret,
        duplicate_rate=DUPLICATE_RATE,
    )


def send_traffic(sandbox_url: str, traffic: LeadTraffic) -> Counter[int]:
    """Every visitor's form, chat message and WhatsApp message, a few at a time."""
    calls: list[tuple[str, dict[str, Any]]] = [
        ("/hubspot/submissions/v3/integration/submit/62515/lead-form", _form_body(f))
        for f in traffic.forms
    ]
    calls += [("/crisp/visitor/message", vars(m)) for m in traffic.chats]
    calls += [("/whatsapp/visitor/message", vars(m)) for m in traffic.whatsapp]
    with requests.Session() as session, ThreadPoolExecutor(SENDERS) as pool:

        def post(call: tuple[str, dict[str, Any]]) -> int:
            path, body = call
            return session.post(sandbox_url + path, json=body, timeout=_TIMEOUT_S).status_code

        return Counter(pool.map(post, calls))


def _form_body(form: Any) -> dict[str, Any]:
    return {"fields": [{"name": k, "value": v} for k, v in vars(form).items()]}


def leads_summary(db: Database, sandbox: SandboxClient) -> dict[str, Any]:
    """Our leads against HubSpot's contacts: each unified lead once, no email on two contacts."""
    with db.read() as session:
        raw = session.scalar(select(func.count()).select_from(Lead)) or 0
        ids = set(session.scalars(select(UnifiedLead.id)))
        converted = session.scalar(
            select(func.count())
            .select_from(UnifiedLead)
            .where(UnifiedLead.customer_id.is_not(None))
        )
        in_review = session.scalar(
            select(func.count()).select_from(LeadReview).where(LeadReview.status == OPEN)
        )
        merged_by_people = session.scalar(
            select(func.count())
            .select_from(LeadReview)
            .where(LeadReview.status == DECIDED, LeadReview.decision == "merge")
        )
        syncs = dict(
            session.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.system == "hubspot", OutboxRow.entity == "lead")
                .group_by(OutboxRow.status)
            ).all()
        )
    held = [c["properties"] for c in sandbox.records("hubspot")["contacts"] if not c["archived"]]
    # Every contact that is not a customer's counts, whatever lead it names or none: a contact
    # left behind by a lead that joined another is a duplicate person at HubSpot.
    prospects = [p for p in held if p.get("lifecyclestage") != "customer"]
    lead_contacts = Counter(p.get("ez_lead_id") for p in prospects)
    emails = Counter((p.get("email") or "").strip().casefold() for p in held if p.get("email"))
    figures: dict[str, Any] = {
        "raw": int(raw),
        "unified": len(ids),
        "auto_merged": int(raw) - len(ids) - int(merged_by_people or 0),
        "in_review": int(in_review or 0),
        "hubspot_contacts": len(prospects),
        "orphan_contacts": sum(n for lead, n in lead_contacts.items() if lead not in ids),
        "contacts_per_lead_max": max(lead_contacts.values(), default=0),
        "duplicate_emails": sum(n - 1 for n in emails.values() if n > 1),
        "dead_letters": int(syncs.get(DEAD, 0)),
        "pending": int(syncs.get(PENDING, 0)),
        "webhooks": {
            name: sandbox.stats(name).get("webhooks", {}) for name in ("crisp", "whatsapp")
        },
    }
    figures["ok"] = (
        # A lead who booked shares the customer's contact, counted with the customers.
        figures["hubspot_contacts"] == figures["unified"] - int(converted or 0)
        and figures["orphan_contacts"] == 0
        and figures["contacts_per_lead_max"] <= 1
        and figures["duplicate_emails"] == 0
        and figures["dead_letters"] == 0
        and figures["pending"] == 0
    )
    return figures
