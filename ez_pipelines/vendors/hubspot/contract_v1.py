"""Contract v1: how a customer of ours reads as a HubSpot contact, and back.

HubSpot holds one contact per email address (compared without regard to case), so a contact is
keyed by the customer's email key, or, for a customer without an email, by the customer's id.
The key travels in our unique contact property; batch upserts find contacts by it.

Every property we own is in the payload, empty when we hold no value, so that removing a value
changes the payload. The projection sends an empty value only to clear what we sent before: a
contact often holds values from forms and chats that we never saw, and those stay.
"""

from __future__ import annotations

from collections.abc import Mapping

from ez_pipelines.canonical.models import Customer

CONTRACT_VERSION = "v1"
DEFAULT_KEY_PROPERTY = "ez_contact_key"
# Someone who has rented a car from us is a customer, whatever stage a form gave them earlier.
LIFECYCLE_STAGE = "customer"
CUSTOMER_KEY_PREFIX = "customer:"


def contact_key(customer: Customer) -> str:
    """The contact a customer belongs to: their email's, or their own when they have none."""
    return customer.email_key or f"{CUSTOMER_KEY_PREFIX}{customer.id}"


def is_email_key(key: str) -> bool:
    return not key.startswith(CUSTOMER_KEY_PREFIX)


def contact_properties(customer: Customer, *, key_property: str) -> dict[str, str]:
    """The contact properties of `customer`, its contact key under `key_property`."""
    return {
        key_property: contact_key(customer),
        "email": customer.email or "",
        "firstname": customer.given_name or "",
        "lastname": customer.family_name or "",
        "phone": customer.phone or "",
        "country": customer.country or "",
        "lifecyclestage": LIFECYCLE_STAGE,
    }


def customer_from_contact(
    properties: Mapping[str, str | None], *, key_property: str = DEFAULT_KEY_PROPERTY
) -> dict[str, str | None]:
    """Our customer fields as a contact holds them, named as `CustomerInput` names them; the
    customer id is known only for a contact keyed by it."""

    def value(name: str) -> str | None:
        text = (properties.get(name) or "").strip()
        return text or None

    key = value(key_property) or ""
    return {
        "id": key.removeprefix(CUSTOMER_KEY_PREFIX) if not is_email_key(key) else None,
        "given_name": value("firstname"),
        "family_name": value("lastname"),
        "email": value("email"),
        "phone": value("phone"),
        "country": value("country"),
    }
