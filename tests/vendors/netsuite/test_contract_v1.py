"""Contract v1: our customer as NetSuite's customer record, and back."""

from __future__ import annotations

from datetime import UTC, datetime

from ez_pipelines.canonical.models import Customer
from ez_pipelines.vendors.netsuite import contract_v1

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def customer(**fields: str | None) -> Customer:
    values: dict[str, object] = {
        "id": "CUS-0001",
        "given_name": "Layla",
        "family_name": "Haddad",
        "email": "Layla.Haddad@Example.com",
        "email_key": "layla.haddad@example.com",
        "phone": "+971501234567",
        "country": "AE",
        "loyalty_tier": "gold",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Customer(**values)


def test_a_customer_becomes_an_individual_in_the_configured_subsidiary() -> None:
    payload = contract_v1.customer_payload(customer(), subsidiary_id="3")

    assert payload == {
        "isPerson": True,
        "firstName": "Layla",
        "lastName": "Haddad",
        "email": "Layla.Haddad@Example.com",
        "phone": "+971501234567",
        "subsidiary": {"id": "3"},
    }


def test_a_removed_email_and_phone_are_sent_empty_so_the_upsert_clears_them() -> None:
    payload = contract_v1.customer_payload(customer(email=None, phone=None), subsidiary_id="1")

    assert payload["email"] == ""
    assert payload["phone"] == ""


def test_fields_netsuite_has_no_place_for_stay_out_of_the_payload() -> None:
    payload = contract_v1.customer_payload(customer(), subsidiary_id="1")

    flat = repr(payload)
    assert "gold" not in flat
    assert "layla.haddad@example.com" not in flat
    assert "externalId" not in payload


def test_a_netsuite_record_maps_back_to_our_fields() -> None:
    record = {
        "id": "647",
        "externalId": "CUS-0001",
        "isPerson": True,
        "firstName": "Layla",
        "lastName": "Haddad",
        "email": "",
        "phone": "+971501234567",
        "subsidiary": {"id": "1"},
    }

    assert contract_v1.customer_from_record(record) == {
        "id": "CUS-0001",
        "given_name": "Layla",
        "family_name": "Haddad",
        "email": None,
        "phone": "+971501234567",
    }


def test_payload_and_record_agree_on_every_field_they_share() -> None:
    original = customer()
    payload = contract_v1.customer_payload(original, subsidiary_id="1")

    back = contract_v1.customer_from_record({**payload, "externalId": original.id, "id": "9"})

    assert back == {
        "id": original.id,
        "given_name": original.given_name,
        "family_name": original.family_name,
        "email": original.email,
        "phone": original.phone,
    }
    assert contract_v1.CONTRACT_VERSION == "v1"
