"""Credit notes for refunds and cancellations: each fils given back on an invoice, once.

A refund becomes a credit note once Checkout.com confirmed it (its refund actions cover it), not
when we ask for it: a refund that is refused credits nothing. A booking canceled after it was
invoiced gets one credit note for what the invoice still holds; a refund of a canceled booking is
the money going back for that note, never a second credit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Booking, Invoice, Payment, PaymentAction, RefundRequest
from ez_pipelines.finance.invoicing import vat_within
from ez_pipelines.finance.tables import CreditNote
from ez_pipelines.outbox.routes import enqueue_change

CANCELED = "canceled"


def cancel_invoice(session: Session, booking: Booking, invoice: Invoice, *, now: datetime) -> bool:
    """A credit note for what a canceled booking's invoice still holds after the credit notes
    it already has; True when one was issued."""
    note_id = f"CXL-{booking.id}"[:64]
    if session.get(CreditNote, note_id) is not None:
        return False
    items = [line for line in invoice.lines if line.kind != "vat"]
    credited_amount, credited_vat = session.execute(
        select(
            func.coalesce(func.sum(CreditNote.amount_minor), 0),
            func.coalesce(func.sum(CreditNote.vat_minor), 0),
        ).where(CreditNote.invoice_id == invoice.id)
    ).one()
    amount = sum(line.amount_minor for line in items) - int(credited_amount)
    vat = sum(line.vat_minor for line in items) - int(credited_vat)
    if amount <= 0 and vat <= 0:
        return False
    session.add(
        CreditNote(
            id=note_id,
            invoice_id=invoice.id,
            booking_id=booking.id,
            kind="cancellation",
            refund_id=None,
            description=f"Booking {booking.id} canceled",
            amount_minor=max(amount, 0),
            vat_minor=max(vat, 0),
            currency=invoice.currency,
            issued_at=now,
        )
    )
    enqueue_change(session, "credit_note", note_id, now)
    return True


def credit_confirmed_refunds(session: Session, *, vat_rate_bp: int, now: datetime) -> int:
    """A credit note for each confirmed refund of an invoiced, not canceled booking that has
    none yet; returns how many were issued."""
    rows = session.execute(
        select(RefundRequest, Payment.booking_id)
        .join(Payment, Payment.id == RefundRequest.payment_id)
        .join(Booking, Booking.id == Payment.booking_id)
        .join(Invoice, Invoice.booking_id == Booking.id)
        .outerjoin(CreditNote, CreditNote.refund_id == RefundRequest.id)
        .where(CreditNote.id.is_(None), Booking.status != CANCELED)
        .order_by(RefundRequest.id)
    ).all()
    confirmed = _confirmed_refunds(session, {refund.payment_id for refund, _ in rows})
    created = 0
    for refund, booking_id in rows:
        if refund.id not in confirmed:
            continue
        vat = vat_within(refund.amount_minor, vat_rate_bp)
        note_id = f"CN-{refund.id}"[:64]
        session.add(
            CreditNote(
                id=note_id,
                invoice_id=booking_id,
                booking_id=booking_id,
                kind="refund",
                refund_id=refund.id,
                description=f"Refund {refund.id}: {refund.reason}"[:200],
                amount_minor=refund.amount_minor - vat,
                vat_minor=vat,
                currency=refund.currency,
                issued_at=refund.requested_at,
            )
        )
        enqueue_change(session, "credit_note", note_id, now)
        created += 1
    return created


def _confirmed_refunds(session: Session, payment_ids: set[str]) -> set[str]:
    """The refund requests Checkout.com's refund actions cover, oldest request first."""
    if not payment_ids:
        return set()
    done: dict[str, int] = defaultdict(int)
    for payment_id, amount in session.execute(
        select(PaymentAction.payment_id, func.sum(PaymentAction.amount_minor))
        .where(PaymentAction.payment_id.in_(payment_ids), PaymentAction.kind == "refund")
        .group_by(PaymentAction.payment_id)
    ):
        done[payment_id] = int(amount)
    confirmed: set[str] = set()
    asked: dict[str, int] = defaultdict(int)
    for refund in session.scalars(
        select(RefundRequest)
        .where(RefundRequest.payment_id.in_(payment_ids))
        .order_by(RefundRequest.requested_at, RefundRequest.id)
    ):
        asked[refund.payment_id] += refund.amount_minor
        if asked[refund.payment_id] <= done[refund.payment_id]:
            confirmed.add(refund.id)
    return confirmed
