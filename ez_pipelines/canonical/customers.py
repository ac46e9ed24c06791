"""Creating and changing customers. Every change that commits queues its syncs with it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ez_pipelines.canonical.base import RECORD_ID_PATTERN
from ez_pipelines.canonical.changes import Change, apply_fields
from ez_pipelines.canonical.contact_points import InvalidContactPoint, parse_email, parse_phone
from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.routes import enqueue_change


class InvalidRecord(ValueError):
    """A record that cannot enter the canonical store as given; the message says why."""


@dataclass(frozen=True)
class CustomerInput:
    id: str
    given_name: str
    family_name: str
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    loyalty_tier: str = "standard"


def validate_record_id(record_id: str) -> str:
    if not RECORD_ID_PATTERN.match(record_id):
        raise InvalidRecord(
            f"id {record_id!r} must be 1-64 letters, digits, '_' or '-' (vendors use it as a key)"
        )
    return record_id


def customer_fields(data: CustomerInput, default_region: str) -> dict[str, object]:
    """The stored columns for `data`, validated; raises InvalidRecord with the reason."""
    validate_record_id(data.id)
    given, family = data.given_name.strip(), data.family_name.strip()
    if not given and not family:
        raise InvalidRecord(f"customer {data.id} has no name")
    raw_email, raw_phone = (data.email or "").strip(), (data.phone or "").strip()
    try:
        email = parse_email(raw_email) if raw_email else None
        phone = parse_phone(raw_phone, default_region) if raw_phone else None
    except InvalidContactPoint as err:
        raise InvalidRecord(f"customer {data.id}: {err}") from err
    country = (data.country or (phone.region if phone else None) or "").upper() or None
    return {
        "given_name": given,
        "family_name": family,
        "email": email.display if email else None,
        "email_key": email.key if email else None,
        "phone": phone.e164 if phone else None,
        "phone_raw": raw_phone or None,
        "country": country,
        "loyalty_tier": data.loyalty_tier,
    }


def upsert_customer(
    session: Session, data: CustomerInput, *, now: datetime, default_region: str = "AE"
) -> Change:
    """Create or update a customer; queue its syncs only when something stored changed."""
    fields = customer_fields(data, default_region)
    customer = session.get(Customer, data.id)
    if customer is None:
        session.add(Customer(id=data.id, created_at=now, updated_at=now, **fields))
        enqueue_change(session, "customer", data.id, now)
        return Change.CREATED
    if not apply_fields(customer, fields):
        return Change.UNCHANGED
    customer.updated_at = now
    enqueue_change(session, "customer", data.id, now)
    return Change.UPDATED
