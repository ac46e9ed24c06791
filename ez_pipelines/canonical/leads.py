"""Recording leads as each channel sees them. Unifying them into people lives in `leads/`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.contact_points import InvalidContactPoint, parse_email, parse_phone
from ez_pipelines.canonical.models import Lead
from ez_pipelines.outbox.routes import enqueue_change

LEAD_SOURCES = ("hubspot", "crisp", "whatsapp")


@dataclass(frozen=True)
class LeadInput:
    source: str
    source_ref: str
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None


def record_lead_contact(
    session: Session, data: LeadInput, *, now: datetime, default_region: str
) -> Change:
    """Create the channel's lead or count one more contact from it, filling in what was missing.

    This reads the lead and then writes it, so on SQLite it must run in a transaction that began
    IMMEDIATE (`Database.write`), or two concurrent contacts from one lead fail with "database is
    locked" instead of waiting their turn.
    """
    if data.source not in LEAD_SOURCES:
        raise ValueError(f"unknown lead source {data.source!r}")
    email = phone = None
    try:
        email = parse_email(data.email) if data.email and data.email.strip() else None
    except InvalidContactPoint:
        email = None
    try:
        phone = parse_phone(data.phone, default_region) if data.phone else None
    except InvalidContactPoint:
        phone = None

    lead = session.scalars(
        select(Lead).where(Lead.source == data.source, Lead.source_ref == data.source_ref)
    ).one_or_none()
    if lead is None:
        lead = Lead(
            source=data.source,
            source_ref=data.source_ref,
            full_name=data.full_name,
            email=email.display if email else None,
            email_key=email.key if email else None,
            phone_raw=data.phone,
            phone=phone.e164 if phone else None,
            message_count=1,
            created_at=now,
            updated_at=now,
        )
        session.add(lead)
        session.flush()
        enqueue_change(session, "lead", str(lead.id), now)
        return Change.CREATED

    lead.message_count += 1
    lead.full_name = lead.full_name or data.full_name
    if email and not lead.email:
        lead.email, lead.email_key = email.display, email.key
    if phone and not lead.phone:
        lead.phone_raw, lead.phone = data.phone, phone.e164
    lead.updated_at = now
    enqueue_change(session, "lead", str(lead.id), now)
    return Change.UPDATED
