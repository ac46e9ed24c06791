"""Contract v1 for money: a Checkout.com capture as NetSuite's customerPayment record, checked
against the record's published fields."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from ez_pipelines.canonical.models import PaymentAction
from ez_pipelines.vendors.netsuite import contract_v1

FIELDS = Path(__file__).resolve().parents[2] / "fixtures" / "vendor"
CUSTOMER_PAYMENT = json.loads((FIELDS / "netsuite_customerPayment_fields.json").read_text())
# 23:30 on 2 November in UTC is 03:30 on 3 November in Dubai.
LATE = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)


def capture(amount_minor: int = 45050, currency: str = "AED") -> PaymentAction:
    return PaymentAction(
        id="act_abc",
        payment_id="P-1",
        kind="capture",
        amount_minor=amount_minor,
        currency=currency,
        processed_at=LATE,
        recorded_at=LATE,
    )


def test_a_capture_uses_only_fields_the_customer_payment_record_has() -> None:
    payload = contract_v1.payment_action_payload(
        capture(), booking_id="BK-1", customer_internal_id="77", subsidiary_id="3"
    )

    assert set(payload) <= set(CUSTOMER_PAYMENT["body_fields"])
    assert payload["customer"] == {"id": "77"}
    assert payload["subsidiary"] == {"id": "3"}
    assert payload["memo"] == "Checkout.com act_abc for booking BK-1"


def test_a_capture_is_dated_on_its_dubai_day_with_its_exact_amount() -> None:
    payload = contract_v1.payment_action_payload(
        capture(), booking_id=None, customer_internal_id="77", subsidiary_id="3"
    )

    assert payload["tranDate"] == "2026-11-03"
    assert json.dumps(payload["payment"]) == "450.5"


def test_a_three_decimal_currency_keeps_its_fils() -> None:
    payload = contract_v1.payment_action_payload(
        capture(12345, "KWD"), booking_id=None, customer_internal_id="77", subsidiary_id="3"
    )

    assert json.dumps(payload["payment"]) == "12.345"


def test_the_record_type_and_external_id_follow_the_action() -> None:
    assert contract_v1.record_type_of("capture") == "customerPayment"
    assert contract_v1.record_type_of("refund") == "customerRefund"
    assert contract_v1.action_external_id("act_abc") == "CKO-act_abc"
