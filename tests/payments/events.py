"""Checkout.com events as the service sends them, for payment tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from ez_pipelines.vendors.checkout.events import CheckoutEvent, parse_event

T0 = datetime(2026, 11, 2, 10, 0, 0, tzinfo=UTC)


def event_body(
    event_id: str,
    event_type: str,
    *,
    payment_id: str,
    reference: str,
    amount: int,
    at_s: float,
    action_id: str | None = None,
    balances: dict[str, int] | None = None,
) -> bytes:
    data: dict[str, object] = {
        "id": payment_id,
        "reference": reference,
        "amount": amount,
        "currency": "AED",
        "processed_on": (T0 + timedelta(seconds=at_s)).isoformat(),
    }
    if action_id:
        data["action_id"] = action_id
    if balances is not None:
        data["balances"] = balances
    document = {
        "id": event_id,
        "type": event_type,
        "created_on": (T0 + timedelta(seconds=at_s)).isoformat(),
        "data": data,
    }
    return json.dumps(document, separators=(",", ":")).encode()


def event(*args: object, **kwargs: object) -> CheckoutEvent:
    return parse_event(event_body(*args, **kwargs))  # type: ignore[arg-type]


def balances(authorized: int = 0, captured: int = 0, refunded: int = 0) -> dict[str, int]:
    return {
        "total_authorized": authorized,
        "total_voided": 0,
        "available_to_void": authorized - captured,
        "total_captured": captured,
        "available_to_capture": authorized - captured,
        "total_refunded": refunded,
        "available_to_refund": captured - refunded,
    }
