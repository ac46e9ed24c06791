"""Checkout.com webhook events, parsed once at the boundary into typed values.

Both envelopes Checkout.com has sent are accepted: `created_on` (the previous platform) and
`timestamp` (NAS); both spellings of the cancellation (`payment_canceled`, `payment_cancelled`)
read as one type. Amounts are integers in minor units, as Checkout.com sends them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PAYMENT_EVENT_TYPES = frozenset(
    {
        "payment_pending",
        "payment_approved",
        "payment_declined",
        "payment_expired",
        "payment_canceled",
        "payment_voided",
        "payment_void_declined",
        "payment_capture_pending",
        "payment_captured",
        "payment_capture_declined",
        "payment_refund_pending",
        "payment_refunded",
        "payment_refund_declined",
        "payment_authorization_incremented",
        "payment_authorization_increment_declined",
        "card_verified",
        "card_verification_declined",
    }
)
# The same event under the spelling of the other platform.
ALIASES = {"payment_cancelled": "payment_canceled"}


class MalformedEvent(ValueError):
    """A body that is not a Checkout.com event; the message says what is wrong with it."""


@dataclass(frozen=True)
class Balances:
    total_authorized: int = 0
    total_voided: int = 0
    total_captured: int = 0
    total_refunded: int = 0
    available_to_capture: int = 0
    available_to_refund: int = 0
    available_to_void: int = 0

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Balances:
        return cls(**{name: _amount(raw.get(name)) or 0 for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class CheckoutEvent:
    id: str
    type: str
    """The event type, spelled as Checkout.com's NAS platform spells it."""
    occurred_at: datetime | None
    payment_id: str | None
    action_id: str | None
    amount: int | None
    currency: str | None
    reference: str | None
    response_code: str | None
    processed_on: datetime | None
    balances: Balances | None

    @property
    def is_known(self) -> bool:
        return self.type in PAYMENT_EVENT_TYPES


def parse_event(raw: bytes) -> CheckoutEvent:
    """The event in `raw`, the exact bytes of a delivery; raises MalformedEvent."""
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise MalformedEvent(f"body is not JSON: {err}") from None
    if not isinstance(document, dict):
        raise MalformedEvent("body is not a JSON object")
    event_id, event_type = document.get("id"), document.get("type")
    if not isinstance(event_id, str) or not event_id.strip():
        raise MalformedEvent("event has no id")
    if not isinstance(event_type, str) or not event_type.strip():
        raise MalformedEvent("event has no type")
    data = document.get("data")
    if data is not None and not isinstance(data, dict):
        raise MalformedEvent("event data is not an object")
    data = data or {}
    balances = data.get("balances")
    return CheckoutEvent(
        id=event_id.strip(),
        type=ALIASES.get(event_type, event_type),
        occurred_at=_instant(document.get("created_on") or document.get("timestamp")),
        payment_id=_text(data.get("id")),
        action_id=_text(data.get("action_id")),
        amount=_amount(data.get("amount")),
        currency=_text(data.get("currency")),
        reference=_text(data.get("reference")),
        response_code=_text(data.get("response_code")),
        processed_on=_instant(data.get("processed_on")),
        balances=Balances.from_json(balances) if isinstance(balances, dict) else None,
    )


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _amount(value: Any) -> int | None:
    # Minor units arrive as JSON integers; anything else is not an amount we can trust.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 instant, or None for a missing or unreadable one (samples carry both)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
