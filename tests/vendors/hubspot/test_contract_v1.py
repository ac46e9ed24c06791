"""Contract v1: a customer as HubSpot contact properties, and back."""

from __future__ import annotations

from datetime import UTC, datetime

from ez_pipelines.canonical.customers import CustomerInput, customer_fields
from ez_pipelines.canonical.models import Customer
from ez_pipelines.vendors.hubspot.contract_v1 import (
    CONTRACT_VERSION,
    contact_properties,
    customer_from_contact,
)

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def customer(**changes: str | None) -> Customer:
    data = {
        "id": "C1",
        "given_name": "Sara",
        "family_name": "Qasim",
        "email": " Sara.Q@Example.COM ",
        "phone": "050 123 4567",
        "country": None,
    }
    data.update(changes)
    fields = customer_fields(CustomerInput(**data), "AE")
    return Customer(id=data["id"], created_at=NOW, updated_at=NOW, **fields)


def test_contact_is_keyed_by_the_email_key_with_display_email_and_e164_phone() -> None:
    properties = contact_properties(customer(), key_property="ez_contact_key")

    assert properties == {
        "email": "Sara.Q@Example.COM",
        "firstname": "Sara",
        "lastname": "Qasim",
        "phone": "+971501234567",
        "country": "AE",
        "lifecyclestage": "customer",
        "ez_contact_key": "sara.q@example.com",
    }


def test_customer_without_email_is_keyed_by_its_id_and_absent_values_are_empty() -> None:
    """Empty, not missing: removing a value must change the payload, so the sync notices."""
    properties = contact_properties(customer(email=None, phone=None), key_property="ez_key")

    assert properties["email"] == ""
    assert properties["phone"] == ""
    assert properties["ez_key"] == "customer:C1"


def test_contact_reads_back_as_our_customer_fields() -> None:
    by_email = contact_properties(customer(), key_property="ez_contact_key")
    by_id = contact_properties(customer(email=None), key_property="ez_contact_key")

    assert customer_from_contact({**by_email, "hs_object_id": "1001"}) == {
        "id": None,
        "given_name": "Sara",
        "family_name": "Qasim",
        "email": "Sara.Q@Example.COM",
        "phone": "+971501234567",
        "country": "AE",
    }
    assert customer_from_contact(by_id)["id"] == "C1"
    assert customer_from_contact({"firstname": " ", "email": None})["given_name"] is None


def test_contract_version_is_pinned() -> None:
    assert CONTRACT_VERSION == "v1"
