"""Channel records from the inbox: each stored webhook event read into the lead it is about.

- HubSpot: a contact's property changes (a form submission sets email, names and phone); the
  record is the HubSpot contact, keyed by its id, and its latest values win. Changes our own
  sync made through the API come back as events too, and are dropped.
- Crisp: a visitor's chat message; the record is the chat session, and the email and number the
  visitor typed are read out of the text.
- WhatsApp: a message; the record is the sender's WhatsApp id, which is their number.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.contact_points import InvalidContactPoint, parse_email
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.leads import LeadInput, record_lead_contact
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.vendors.crisp import webhooks as crisp
from ez_pipelines.vendors.hubspot import webhooks as hubspot
from ez_pipelines.vendors.whatsapp import webhooks as whatsapp

log = logging.getLogger(__name__)

LEAD_SYSTEMS = ("hubspot", "crisp", "whatsapp")
BATCH = 500

Reader = Callable[[bytes, str], list[tuple[LeadInput, bool]]]
"""Reads a stored event into lead inputs, each with whether its values replace older ones."""


@dataclass
class CaptureReport:
    system: str
    processed: int = 0
    records_touched: int = 0
    failed: int = 0


class UnreadableEvent(ValueError):
    pass


def read_hubspot(body: bytes, _region: str) -> list[tuple[LeadInput, bool]]:
    try:
        event = hubspot.parse_event(_json(body))
    except hubspot.MalformedDelivery as err:
        raise UnreadableEvent(str(err)) from err
    if event.is_our_own_write:
        # Our own sync wrote this contact: its values come from leads we already hold.
        return []
    name, value = event.property_name, (event.property_value or "").strip()
    if event.type == "contact.creation" or name is None:
        return [(LeadInput("hubspot", event.contact_id), False)]
    if name not in hubspot.LEAD_PROPERTIES or not value:
        return []
    as_of = event.occurred_at
    if name == "email":
        return [(LeadInput("hubspot", event.contact_id, email=value, as_of=as_of), True)]
    if name in ("phone", "mobilephone"):
        return [(LeadInput("hubspot", event.contact_id, phone=value, as_of=as_of), True)]
    return [(LeadInput("hubspot", event.contact_id, name_part=(name, value), as_of=as_of), True)]


def read_crisp(body: bytes, region: str) -> list[tuple[LeadInput, bool]]:
    try:
        message = crisp.parse_hook(body)
    except crisp.MalformedHook as err:
        raise UnreadableEvent(str(err)) from err
    if not message.is_known or not message.from_visitor:
        return []
    email = next((e for e in crisp.emails_in(message.text) if _valid_email(e)), None)
    phone = next(iter(crisp.phones_in(message.text, region)), None)
    data = LeadInput("crisp", message.session_id, message.nickname, email=email, phone=phone)
    return [(data, False)]


def read_whatsapp(body: bytes, _region: str) -> list[tuple[LeadInput, bool]]:
    try:
        message = whatsapp.parse_stored(body)
    except (ValueError, KeyError) as err:
        raise UnreadableEvent("stored message is not readable") from err
    data = LeadInput("whatsapp", message.wa_id, message.profile_name, phone=message.wa_id)
    return [(data, False)]


READERS: dict[str, Reader] = {
    "hubspot": read_hubspot,
    "crisp": read_crisp,
    "whatsapp": read_whatsapp,
}


def capture_leads(db: Database, system: str, *, region: str, now: datetime) -> CaptureReport:
    """Read every waiting event of `system` into lead records, a batch per transaction.

    An event that cannot be read is marked failed with the reason and never blocks the rest.
    """
    read = READERS[system]
    report = CaptureReport(system)
    last_id = 0
    while True:
        query = (
            select(InboxEvent)
            .where(
                InboxEvent.system == system,
                InboxEvent.status == "received",
                InboxEvent.id > last_id,
            )
            .order_by(InboxEvent.id)
            .limit(BATCH)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        with db.write() as session:
            rows = list(session.scalars(query))
            for row in rows:
                last_id = row.id
                _capture_one(session, row, read, region, now, report)
        if len(rows) < BATCH:
            break
    log.info(
        "%s lead events processed=%d records=%d failed=%d",
        system,
        report.processed,
        report.records_touched,
        report.failed,
    )
    return report


def _capture_one(
    session: Session,
    row: InboxEvent,
    read: Reader,
    region: str,
    now: datetime,
    report: CaptureReport,
) -> None:
    row.attempts += 1
    try:
        inputs = read(row.body, region)
    except UnreadableEvent as err:
        row.status, row.error = "failed", str(err)[:500]
        report.failed += 1
        return
    for data, latest_wins in inputs:
        record_lead_contact(session, data, now=now, default_region=region, replace=latest_wins)
        report.records_touched += 1
    row.status, row.processed_at, row.error = "processed", now, None
    report.processed += 1


def _valid_email(text: str) -> bool:
    try:
        parse_email(text)
    except InvalidContactPoint:
        return False
    return True


def _json(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError as err:
        raise UnreadableEvent("stored event is not JSON") from err
