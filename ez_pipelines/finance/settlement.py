"""An invoice is paid when the booking's captured payments cover it: marked once, in either order.

A capture can arrive before the booking is invoiced (the card is charged at the counter, the
invoice follows on the next pass). Whichever of the two comes second marks the invoice paid, and
an invoice that appears after its capture has the capture sent to NetSuite again, this time
applied to it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Invoice, Payment, PaymentAction
from ez_pipelines.outbox.routes import enqueue_change

ISSUED = "issued"
PAID = "paid"


def settle_invoice(session: Session, booking_id: str, *, now: datetime) -> bool:
    """Mark the booking's invoice paid if its captured payments now cover its total; True only
    for the call that marked it, so a replayed capture changes nothing."""
    invoice = session.scalars(select(Invoice).where(Invoice.booking_id == booking_id)).first()
    if invoice is None or invoice.status != ISSUED:
        return False
    total = sum(line.amount_minor for line in invoice.lines)
    captured = session.scalar(
        select(func.coalesce(func.sum(Payment.captured_minor), 0)).where(
            Payment.booking_id == booking_id, Payment.currency == invoice.currency
        )
    )
    if total <= 0 or int(captured or 0) < total:
        return False
    invoice.status = PAID
    invoice.updated_at = now
    return True


def apply_earlier_captures(session: Session, booking_id: str, *, now: datetime) -> int:
    """Queue again the captures of a booking that was invoiced after they were recorded, so
    NetSuite's customer payments are applied to the new invoice; returns how many."""
    captures = list(
        session.scalars(
            select(PaymentAction.id)
            .join(Payment, Payment.id == PaymentAction.payment_id)
            .where(Payment.booking_id == booking_id, PaymentAction.kind == "capture")
        )
    )
    for action_id in captures:
        enqueue_change(session, "payment_action", action_id, now)
    return len(captures)
