"""Contract v1: our customers and payment actions as NetSuite records, and back. No I/O."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from ez_pipelines.canonical.models import Customer, PaymentAction
from ez_pipelines.canonical.money import to_major

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


DUBAI = ZoneInfo("Asia/Dubai")


def action_external_id(action_id: str) -> str:
    """The external id of the NetSuite record of one provider action: replaying the same
    webhook, or polling the same action, upserts the same record."""
    return f"CKO-{action_id}"


def money_amount(minor: int, currency: str) -> float:
    """NetSuite takes amounts as JSON numbers in major units. The float is only the carrier: it
    prints back as the exact decimal (two or three places), never a rounding of ours."""
    return float(to_major(minor, currency))


def payment_action_payload(
    action: PaymentAction,
    *,
    booking_id: str | None,
    customer_internal_id: str,
    subsidiary_id: str,
    invoice_internal_id: str | None = None,
) -> dict[str, Any]:
    """A capture as a `customerPayment`, a refund as a `customerRefund`, for the customer's
    NetSuite record. The payment names its booking in the memo, and a capture is applied to the
    booking's invoice when NetSuite holds one."""
    day = (action.processed_at or action.recorded_at).astimezone(DUBAI).date()
    memo = f"Checkout.com {action.id}" + (f" for booking {booking_id}" if booking_id else "")
    amount_field = "payment" if action.kind == "capture" else "total"
    amount = money_amount(action.amount_minor, action.currency)
    payload: dict[str, Any] = {
        "customer": {"id": customer_internal_id},
        "subsidiary": {"id": subsidiary_id},
        "tranDate": day.isoformat(),
        amount_field: amount,
        "memo": memo,
    }
    if invoice_internal_id and action.kind == "capture":
        payload["apply"] = {
            "items": [{"doc": {"id": invoice_internal_id}, "apply": True, "amount": amount}]
        }
    return payload


def record_type_of(action_kind: str) -> str:
    return {"capture": "customerPayment", "refund": "customerRefund"}[action_kind]
