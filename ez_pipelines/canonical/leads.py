"""Recording leads as each channel sees them. Unifying them into people lives in `leads/`.

A channel record never goes to an outside system by itself: the unification decides which
person it belongs to, and that person is what HubSpot receives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.contact_points import (
    ChannelPhone,
    Email,
    InvalidContactPoint,
    parse_channel_phone,
    parse_email,
)
from ez_pipelines.canonical.models import Lead

LEAD_SOURCES = ("hubspot", "crisp", "whatsapp")
# WhatsApp sender ids are always international numbers, written without their plus.
INTERNATIONAL_SOURCES = frozenset({"whatsapp"})


@dataclass(frozen=True)
class LeadInput:
    source: str
    source_ref: str
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    name_part: tuple[str, str] | None = None
    """One part of the name as a CRM holds it: (`firstname` or `lastname`, its value)."""
    as_of: datetime | None = None
    """When the channel says its values became true (a CRM's property change): with `replace`,
    a value older than the one held is not applied."""


def record_lead_contact(
    session: Session,
    data: LeadInput,
    *,
    now: datetime,
    default_region: str,
    replace: bool = False,
) -> Change:
    """Create the channel's lead or count one more contact from it, filling in what was missing.

    `default_region` is the region the channel expects its people in; a number read in another
    region, or not valid, is kept raw with its status and never identifies anyone.

    This reads the lead and then writes it, so on SQLite it must run in a transaction that began
    IMMEDIATE (`Database.write`), or two concurrent contacts from one lead fail with "database is
    locked" instead of waiting their turn. With `replace`, the values given replace those stored
    (a CRM's latest property values) instead of only filling gaps.
    """
    if data.source not in LEAD_SOURCES:
        raise ValueError(f"unknown lead source {data.source!r}")
    email = None
    try:
        email = parse_email(data.email) if data.email and data.email.strip() else None
    except InvalidContactPoint:
        email = None
    phone: ChannelPhone | None = None
    if data.phone and data.phone.strip():
        international = data.source in INTERNATIONAL_SOURCES
        phone = parse_channel_phone(data.phone, default_region, international=international)

    lead = session.scalars(
        select(Lead).where(Lead.source == data.source, Lead.source_ref == data.source_ref)
    ).one_or_none()
    if lead is None:
        lead = Lead(
            source=data.source,
            source_ref=data.source_ref,
            email=email.display if email else None,
            email_key=email.key if email else None,
            phone_raw=data.phone,
            phone=phone.e164 if phone else None,
            phone_status=phone.status if phone else None,
            region=default_region,
            message_count=1,
            created_at=now,
            updated_at=now,
        )
        _apply_name(lead, data, replace=True)
        created = _AsOf(lead, data.as_of)
        for value in _values_given(data, email, phone):
            created.newer(value)
        created.keep()
        session.add(lead)
        session.flush()
        return Change.CREATED

    lead.message_count += 1
    as_of = _AsOf(lead, data.as_of if replace else None)
    if data.name_part is None or as_of.newer(data.name_part[0]):
        _apply_name(lead, data, replace=replace)
    if email and (replace or not lead.email) and as_of.newer("email"):
        lead.email, lead.email_key = email.display, email.key
    if (
        phone
        and (replace or not lead.phone_raw or (phone.e164 and not lead.phone))
        and as_of.newer("phone")
    ):
        lead.phone_raw, lead.phone, lead.phone_status = data.phone, phone.e164, phone.status
    as_of.keep()
    lead.updated_at = now
    return Change.UPDATED


def _values_given(data: LeadInput, email: Email | None, phone: ChannelPhone | None) -> list[str]:
    given = [data.name_part[0]] if data.name_part else []
    return given + (["email"] if email else []) + (["phone"] if phone else [])


class _AsOf:
    """The instants a lead record's values became true, as its source gave them."""

    def __init__(self, lead: Lead, given: datetime | None) -> None:
        self.lead, self.given = lead, given
        self.held: dict[str, str] = json.loads(lead.values_as_of) if lead.values_as_of else {}

    def newer(self, value: str) -> bool:
        """Whether the given instant is not older than the held value's; noted if so."""
        if self.given is None:
            return True
        held = self.held.get(value)
        if held is not None and datetime.fromisoformat(held) > self.given:
            return False
        self.held[value] = self.given.isoformat()
        return True

    def keep(self) -> None:
        if self.held:
            self.lead.values_as_of = json.dumps(self.held, sort_keys=True)


def _apply_name(lead: Lead, data: LeadInput, *, replace: bool) -> None:
    """A whole name fills a gap (or replaces, with `replace`); a CRM's first or last name
    replaces that part, and the full name is made of the parts."""
    if data.name_part is not None:
        part, value = data.name_part
        if part == "firstname":
            lead.given_name = value
        else:
            lead.family_name = value
        lead.full_name = " ".join(p for p in (lead.given_name, lead.family_name) if p) or None
    elif data.full_name and (replace or not lead.full_name):
        lead.full_name = data.full_name
