"""Asking for payments and refunds. What the provider answers arrives through `payments/`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ez_pipelines.canonical.bookings import get_booking
from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.customers import InvalidRecord, validate_record_id
from ez_pipelines.canonical.models import Payment, RefundRequest
from ez_pipelines.canonical.money import exponent
from ez_pipelines.outbox.routes import enqueue_change
from ez_pipelines.payments.state import REQUESTED

PROVIDER = "checkout"


@dataclass(frozen=True)
class PaymentInput:
    id: str
    booking_id: str
    amount_minor: int
    currency: str
    source_ref: str
    """The provider's id of the customer's card on file."""


def request_payment(session: Session, data: PaymentInput, *, now: datetime) -> Change:
    """Record a payment to take for a booking; the outbox asks the provider for it.

    Asking again for the same payment changes nothing: the payment is keyed by our id, and so is
    the provider's idempotency key.
    """
    validate_record_id(data.id)
    get_booking(session, data.booking_id)
    if data.amount_minor <= 0:
        raise InvalidRecord(f"payment {data.id}: amount must be positive")
    exponent(data.currency)
    existing = session.get(Payment, data.id)
    if existing is not None:
        if (existing.amount_minor, existing.currency) != (data.amount_minor, data.currency):
            raise InvalidRecord(f"payment {data.id} exists with another amount")
        return Change.UNCHANGED
    session.add(
        Payment(
            id=data.id,
            booking_id=data.booking_id,
            provider=PROVIDER,
            source_ref=data.source_ref,
            status=REQUESTED,
            amount_minor=data.amount_minor,
            currency=data.currency.upper(),
            created_at=now,
            updated_at=now,
        )
    )
    enqueue_change(session, "payment", data.id, now)
    return Change.CREATED


def request_refund(
    session: Session,
    *,
    refund_id: str,
    payment_id: str,
    amount_minor: int,
    reason: str,
    now: datetime,
) -> Change:
    """Record a refund to give back on a payment; the outbox asks the provider for it."""
    validate_record_id(refund_id)
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise InvalidRecord(f"refund {refund_id}: payment {payment_id} does not exist")
    if amount_minor <= 0:
        raise InvalidRecord(f"refund {refund_id}: amount must be positive")
    existing = session.get(RefundRequest, refund_id)
    if existing is not None:
        return Change.UNCHANGED
    session.add(
        RefundRequest(
            id=refund_id,
            payment_id=payment_id,
            amount_minor=amount_minor,
            currency=payment.currency,
            reason=reason,
            requested_at=now,
        )
    )
    enqueue_change(session, "refund", refund_id, now)
    return Change.CREATED
