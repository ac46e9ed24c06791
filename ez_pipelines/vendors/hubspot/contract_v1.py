"""Contract v1: how a customer of ours reads as a HubSpot contact, and back.

Properties we do not hold are left out rather than sent empty: HubSpot treats an empty string as
"clear this property", and a contact often holds values from forms and chats that we never saw.
"""

from __future__ import annotations

from collections.abc import Mapping

from ez_pipelines.canonical.models import Customer

CONTRACT_VERSION = "v1"
DEFAULT_ID_PROPERTY = "ez_customer_id"
# Someone who has rented a car from us is a customer, whatever stage a form gave them earlier.
LIFECYCLE_STAGE = "customer"


def contact_properties(customer: Customer, *, id_property: str) -> dict[str, str]:
    """The contact properties of `customer`, our id included under `id_property`."""
    candidates = {
        "email": customer.email,
        "firstname": customer.given_name,
        "lastname": customer.family_name,
        "phone": customer.phone,
        "country": customer.country,
    }
    properties = {name: value for name, value in candidates.items() if value}
    properties["lifecyclestage"] = LIFECYCLE_STAGE
    properties[id_property] = customer.id
    return properties


def customer_from_contact(
    properties: Mapping[str, str | None], *, id_property: str = DEFAULT_ID_PROPERTY
) -> dict[str, str | None]:
    """Our customer fields as a contact holds them, named as `CustomerInput` names them."""

    def value(name: str) -> str | None:
        text = (properties.get(name) or "").strip()
        return text or None

    return {
        "id": value(id_property),
        "given_name": value("firstname"),
        "family_name": value("lastname"),
        "email": value("email"),
        "phone": value("phone"),
        "country": value("country"),
    }
