"""Keeping invoices and credit notes in step with bookings, refunds and cancellations.

One invoice per booking, its id the booking's: an extension, a return or a charge rewrites its
lines, and the outbox sends the new version to NetSuite under the same external id. Refunds and
cancellations become credit notes (see `credit_notes`). Running this again changes nothing and
queues nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, Invoice, InvoiceLine
from ez_pipelines.finance.credit_notes import cancel_invoice, credit_confirmed_refunds
from ez_pipelines.finance.invoicing import (
    LateReturnPolicy,
    LineDraft,
    invoice_lines,
    vat_of,
)
from ez_pipelines.finance.settlement import apply_earlier_captures, settle_invoice
from ez_pipelines.finance.tables import CreditNote
from ez_pipelines.outbox.routes import enqueue_change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InvoicingPolicy:
    vat_rate_bp: int = 500
    late: LateReturnPolicy = field(default_factory=LateReturnPolicy)


@dataclass
class DocumentsReport:
    invoices_created: int = 0
    invoices_updated: int = 0
    invoices_unchanged: int = 0
    invoices_paid: int = 0
    credit_notes_created: int = 0


def invoice_number(booking_id: str) -> str:
    """`INV-<booking id>`, or a digest of a booking id too long for the number's 32 characters."""
    number = f"INV-{booking_id}"
    if len(number) <= 32:
        return number
    return "INV-" + hashlib.sha256(booking_id.encode()).hexdigest()[:28]


def refresh_documents(db: Database, policy: InvoicingPolicy, *, now: datetime) -> DocumentsReport:
    """Bring every invoice and credit note up to date with the bookings and refunds."""
    report = DocumentsReport()
    with db.read() as session:
        booking_ids = list(session.scalars(select(Booking.id).order_by(Booking.id)))
    for start in range(0, len(booking_ids), 200):
        with db.write() as session:
            for booking_id in booking_ids[start : start + 200]:
                booking = session.get(Booking, booking_id)
                if booking is not None:
                    _refresh_booking(session, booking, policy, report, now=now)
    with db.write() as session:
        report.credit_notes_created += credit_confirmed_refunds(
            session, vat_rate_bp=policy.vat_rate_bp, now=now
        )
    log.info(
        "invoices created=%d updated=%d unchanged=%d paid=%d credit_notes_created=%d",
        report.invoices_created,
        report.invoices_updated,
        report.invoices_unchanged,
        report.invoices_paid,
        report.credit_notes_created,
    )
    return report


def _refresh_booking(
    session: Session,
    booking: Booking,
    policy: InvoicingPolicy,
    report: DocumentsReport,
    *,
    now: datetime,
) -> None:
    invoice = session.get(Invoice, booking.id)
    if booking.status == "canceled":
        if invoice is not None and cancel_invoice(session, booking, invoice, now=now):
            report.credit_notes_created += 1
        return

    drafts = invoice_lines(booking, vat_rate_bp=policy.vat_rate_bp, late=policy.late)
    created = invoice is None
    if invoice is None:
        invoice = Invoice(
            id=booking.id,
            booking_id=booking.id,
            number=invoice_number(booking.id),
            status="issued",
            currency=booking.currency,
            issued_at=now,
            updated_at=now,
        )
        session.add(invoice)
        session.flush()
        report.invoices_created += 1
    elif [_line_key(line) for line in invoice.lines] == [_draft_key(d) for d in drafts]:
        report.invoices_unchanged += 1
        report.invoices_paid += settle_invoice(session, booking.id, now=now)
        return
    else:
        for line in list(invoice.lines):
            session.delete(line)
        invoice.lines.clear()
        session.flush()
        invoice.updated_at = now
        report.invoices_updated += 1
    for number, draft in enumerate(drafts, start=1):
        invoice.lines.append(
            InvoiceLine(
                invoice_id=invoice.id,
                line_no=number,
                kind=draft.kind,
                description=draft.description[:200],
                quantity=draft.quantity,
                unit_amount_minor=draft.unit_amount_minor,
                amount_minor=draft.amount_minor,
                vat_rate_bp=draft.vat_rate_bp,
                vat_minor=draft.vat_minor,
            )
        )
    enqueue_change(session, "invoice", invoice.id, now)
    session.flush()
    if created:
        # A capture recorded before the invoice existed reached NetSuite unapplied.
        apply_earlier_captures(session, booking.id, now=now)
    report.invoices_paid += settle_invoice(session, booking.id, now=now)


def _line_key(line: InvoiceLine) -> tuple[object, ...]:
    return (
        line.kind,
        line.description,
        line.quantity,
        line.unit_amount_minor,
        line.amount_minor,
        line.vat_rate_bp,
        line.vat_minor,
    )


def _draft_key(draft: LineDraft) -> tuple[object, ...]:
    return (
        draft.kind,
        draft.description[:200],
        draft.quantity,
        draft.unit_amount_minor,
        draft.amount_minor,
        draft.vat_rate_bp,
        draft.vat_minor,
    )


def issue_adjustment(
    session: Session,
    *,
    note_id: str,
    booking_id: str,
    amount_minor: int,
    description: str,
    policy: InvoicingPolicy,
    now: datetime,
) -> CreditNote:
    """A credit note a person decided on (a goodwill reduction), `amount_minor` VAT excluded."""
    invoice = session.get(Invoice, booking_id)
    if invoice is None:
        raise ValueError(f"booking {booking_id} has no invoice to credit")
    if amount_minor <= 0:
        raise ValueError("an adjustment gives back a positive amount")
    existing = session.get(CreditNote, note_id)
    if existing is not None:
        return existing
    note = CreditNote(
        id=note_id,
        invoice_id=invoice.id,
        booking_id=booking_id,
        kind="adjustment",
        refund_id=None,
        description=description[:200],
        amount_minor=amount_minor,
        vat_minor=vat_of(amount_minor, policy.vat_rate_bp),
        currency=invoice.currency,
        issued_at=now,
    )
    session.add(note)
    enqueue_change(session, "credit_note", note_id, now)
    return note
