"""Contract v1: our payments and refunds as the bodies the NAS spec describes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ez_pipelines.canonical.models import Booking, Customer, Payment, RefundRequest
from ez_pipelines.vendors.checkout import contract_v1

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def customer(email: str | None = "layla@example.com") -> Customer:
    return Customer(id="CUS-1", given_name="Layla", family_name="Haddad", email=email)


def booking() -> Booking:
    return Booking(
        id="BK-1",
        customer_id="CUS-1",
        status="reserved",
        pickup_at=NOW,
        return_due_at=NOW + timedelta(days=3),
        rental_amount_minor=45000,
        currency="AED",
    )


def payment(source_ref: str | None = "src_nwd3m4in3hkuddfpjsaevunhdy") -> Payment:
    return Payment(
        id="PAY-1",
        booking_id="BK-1",
        provider="checkout",
        source_ref=source_ref,
        status="requested",
        amount_minor=45050,
        currency="AED",
    )


def test_payment_charges_the_card_on_file_in_minor_units_under_our_id() -> None:
    body = contract_v1.payment_request(payment(), booking(), customer())

    assert body == {
        "amount": 45050,
        "currency": "AED",
        "reference": "PAY-1",
        "capture": True,
        "source": {"type": "id", "id": "src_nwd3m4in3hkuddfpjsaevunhdy"},
        "customer": {"email": "layla@example.com", "name": "Layla Haddad"},
        "metadata": {"booking_id": "BK-1"},
    }
    assert isinstance(body["amount"], int)


def test_customer_without_email_is_sent_by_name_only() -> None:
    body = contract_v1.payment_request(payment(), booking(), customer(email=None))

    assert body["customer"] == {"name": "Layla Haddad"}


def test_payment_without_booking_or_customer_carries_neither() -> None:
    body = contract_v1.payment_request(payment(), None, None)

    assert "customer" not in body
    assert "metadata" not in body
    assert body["reference"] == "PAY-1"


def test_payment_without_a_card_on_file_has_no_source() -> None:
    body = contract_v1.payment_request(payment(source_ref=None), booking(), customer())

    assert "source" not in body


def test_refund_names_its_checkout_payment_and_carries_our_id_as_reference() -> None:
    refund = RefundRequest(
        id="RF-1", payment_id="PAY-1", amount_minor=5000, currency="AED", reason="fuel"
    )

    assert contract_v1.refund_request(refund, "pay_mbabizu24mvu3mela5njyhpit4") == {
        "payment_id": "pay_mbabizu24mvu3mela5njyhpit4",
        "body": {"amount": 5000, "reference": "RF-1"},
    }
    assert contract_v1.refund_request(refund, None)["payment_id"] is None
