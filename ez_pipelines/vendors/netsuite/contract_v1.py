"""Contract v1: our customer as a NetSuite customer record, and back. Pure mapping, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ez_pipelines.canonical.models import Customer

CONTRACT_VERSION = "v1"


def customer_payload(customer: Customer, *, subsidiary_id: str) -> dict[str, Any]:
    """The body of the upsert of `customer` (individuals, in one subsidiary)."""
    # Absent email and phone go as "", never omitted: an upsert of an existing record changes
    # only the fields it names, so an omitted field would keep a value the customer removed.
    return {
        "isPerson": True,
        "firstName": customer.given_name,
        "lastName": customer.family_name,
        "email": customer.email or "",
        "phone": customer.phone or "",
        "subsidiary": {"id": subsidiary_id},
    }


def customer_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """Our fields of a NetSuite customer record; `id` is our id (NetSuite's external id)."""
    return {
        "id": _text(record.get("externalId")),
        "given_name": _text(record.get("firstName")) or "",
        "family_name": _text(record.get("lastName")) or "",
        "email": _text(record.get("email")),
        "phone": _text(record.get("phone")),
    }


def _text(value: Any) -> str | None:
    """A non-empty string, or None: NetSuite shows a cleared field as empty or leaves it out."""
    return value if isinstance(value, str) and value else None
