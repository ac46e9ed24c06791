"""Checkout.com payments as typed values: what we send, and what Checkout.com answers, parsed once.

Amounts are integers in the currency's minor unit, as Checkout.com counts them; instants are
timezone-aware UTC. A success answer we cannot read raises `UnexpectedAnswer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

from ez_pipelines.vendors.checkout.errors import UnexpectedAnswer
from ez_pipelines.vendors.checkout.events import Balances

# Payment.status of GET /payments/{id}; POST /payments answers only the first four.
AUTHORIZED = "Authorized"
PENDING = "Pending"
CARD_VERIFIED = "Card Verified"
DECLINED = "Declined"


class IdSource(TypedDict):
    """A card Checkout.com already holds (`src_...`): we never see card numbers."""

    type: str
    id: str


class CustomerRequest(TypedDict, total=False):
    email: str
    name: str


class PaymentRequest(TypedDict, total=False):
    """The body of POST /payments, as far as we fill it in."""

    source: IdSource
    amount: int
    currency: str
    reference: str
    capture: bool
    customer: CustomerRequest
    metadata: dict[str, str]


@dataclass(frozen=True)
class PaymentAnswer:
    """The answer to POST /payments: 201 once processed, 202 while it is still pending."""

    id: str
    status: str
    approved: bool
    processed: bool
    """False for a 202: the outcome arrives later, by webhook or poll."""
    action_id: str | None = None
    amount: int | None = None
    currency: str | None = None
    reference: str | None = None
    response_code: str | None = None
    response_summary: str | None = None
    processed_on: datetime | None = None

    @property
    def declined(self) -> bool:
        return self.status == DECLINED

    @classmethod
    def from_json(cls, raw: object, *, http_status: int) -> PaymentAnswer:
        body = _object(raw, "payment answer")
        return cls(
            id=_required_text(body, "id", "payment answer"),
            status=_required_text(body, "status", "payment answer"),
            approved=body.get("approved") is True,
            processed=http_status == 201,
            action_id=_text(body.get("action_id")),
            amount=_amount(body.get("amount")),
            currency=_text(body.get("currency")),
            reference=_text(body.get("reference")),
            response_code=_text(body.get("response_code")),
            response_summary=_text(body.get("response_summary")),
            processed_on=_instant(body.get("processed_on")),
        )


@dataclass(frozen=True)
class PaymentDetails:
    """A payment as GET /payments/{id} shows it, with the running balances of its actions."""

    id: str
    status: str
    approved: bool
    amount: int
    currency: str
    balances: Balances
    reference: str | None = None
    requested_on: datetime | None = None
    source_id: str | None = None

    @classmethod
    def from_json(cls, raw: object) -> PaymentDetails:
        body = _object(raw, "payment details")
        amount = _amount(body.get("amount"))
        if amount is None:
            raise UnexpectedAnswer("checkout answered payment details without an integer amount")
        balances = body.get("balances")
        source = body.get("source")
        return cls(
            id=_required_text(body, "id", "payment details"),
            status=_required_text(body, "status", "payment details"),
            approved=body.get("approved") is True,
            amount=amount,
            currency=_required_text(body, "currency", "payment details"),
            balances=Balances.from_json(balances) if isinstance(balances, Mapping) else Balances(),
            reference=_text(body.get("reference")),
            requested_on=_instant(body.get("requested_on")),
            source_id=_text(source.get("id")) if isinstance(source, Mapping) else None,
        )


@dataclass(frozen=True)
class PaymentActionDetails:
    """One action of GET /payments/{id}/actions: an authorization, capture, refund or void."""

    id: str
    type: str
    amount: int
    approved: bool
    processed_on: datetime | None
    response_code: str | None = None
    response_summary: str | None = None
    reference: str | None = None

    @classmethod
    def from_json(cls, raw: object) -> PaymentActionDetails:
        body = _object(raw, "payment action")
        action_id = _required_text(body, "id", "payment action")
        amount = _amount(body.get("amount"))
        if amount is None:
            raise UnexpectedAnswer(f"checkout answered action {action_id} without an amount")
        return cls(
            id=action_id,
            type=_required_text(body, "type", "payment action"),
            amount=amount,
            approved=body.get("approved") is True,
            processed_on=_instant(body.get("processed_on")),
            response_code=_text(body.get("response_code")),
            response_summary=_text(body.get("response_summary")),
            reference=_text(body.get("reference")),
        )


@dataclass(frozen=True)
class ActionAnswer:
    """The answer (202) to a capture, refund or void: accepted, processed asynchronously."""

    action_id: str
    reference: str | None = None

    @classmethod
    def from_json(cls, raw: object) -> ActionAnswer:
        body = _object(raw, "action answer")
        return cls(
            action_id=_required_text(body, "action_id", "action answer"),
            reference=_text(body.get("reference")),
        )


def _object(raw: object, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise UnexpectedAnswer(f"checkout answered a {what} that is not a JSON object")
    return raw


def _required_text(body: Mapping[str, Any], name: str, what: str) -> str:
    value = _text(body.get(name))
    if value is None:
        raise UnexpectedAnswer(f"checkout answered a {what} without `{name}`")
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _amount(value: object) -> int | None:
    # Minor units arrive as JSON integers; a float or a string is not an amount we can trust.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _instant(value: object) -> datetime | None:
    """An ISO 8601 instant in UTC; a missing or unreadable one is None rather than a failure,
    since no decision of ours rests on it alone."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
