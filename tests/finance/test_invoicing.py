"""Invoice lines: the rental, extensions, the late-fee policy, charges, and VAT on each line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.bookings import add_charge, extend_booking, record_return
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, Invoice
from ez_pipelines.canonical.payments import PaymentInput, request_payment, request_refund
from ez_pipelines.finance.documents import InvoicingPolicy, refresh_documents
from ez_pipelines.finance.invoicing import (
    LateReturnPolicy,
    invoice_lines,
    total_minor,
    vat_of,
    vat_within,
)
from ez_pipelines.finance.tables import CreditNote
from ez_pipelines.outbox.tables import OutboxRow
from tests.finance.helpers import NOW, add_booking, confirm_refunds, dubai

DAY = date(2026, 11, 5)
POLICY = InvoicingPolicy(vat_rate_bp=500, late=LateReturnPolicy(grace_minutes=60))


def lines_of(db: Database, booking_id: str) -> list[tuple[str, int, int, int]]:
    with db.read() as session:
        booking = session.get(Booking, booking_id)
        assert booking is not None
        drafts = invoice_lines(booking, vat_rate_bp=500, late=POLICY.late)
    return [(d.kind, d.quantity, d.unit_amount_minor, d.amount_minor) for d in drafts]


@pytest.mark.parametrize(
    ("late_by", "fee_days"),
    [
        (timedelta(minutes=60), 0),  # inside the grace period
        (timedelta(minutes=61), 1),  # past it: the first started day
        (timedelta(hours=24), 1),
        (timedelta(hours=24, minutes=1), 2),
    ],
    ids=["grace", "just-late", "one-day", "into-the-second-day"],
)
def test_a_late_return_pays_each_started_day_after_the_grace_period(
    sqlite_db: Database, late_by: timedelta, fee_days: int
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=45_000)
    with sqlite_db.write() as session:
        record_return(session, "B-1", returned_at=dubai(DAY) + timedelta(days=3) + late_by, now=NOW)

    late = [line for line in lines_of(sqlite_db, "B-1") if line[0] == "late_return"]

    assert late == ([("late_return", fee_days, 15_000, 15_000 * fee_days)] if fee_days else [])


def test_a_recorded_late_return_charge_takes_the_policys_place(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=45_000)
    with sqlite_db.write() as session:
        record_return(session, "B-1", returned_at=dubai(DAY) + timedelta(days=4), now=NOW)
        add_charge(
            session,
            charge_id="CH-1",
            booking_id="B-1",
            kind="late_return",
            description="Late, half waived",
            amount_minor=7_500,
            incurred_at=NOW,
            now=NOW,
        )

    late = [line for line in lines_of(sqlite_db, "B-1") if line[0] == "late_return"]

    assert late == [("late_return", 1, 7_500, 7_500)]


def test_vat_is_rounded_on_each_line_and_the_total_is_their_sum(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(DAY), days=1, amount_minor=10)
    with sqlite_db.write() as session:
        extend_booking(
            session, "B-1", extended_to=dubai(DAY) + timedelta(days=2), amount_minor=10, now=NOW
        )
    with sqlite_db.read() as session:
        booking = session.get(Booking, "B-1")
        assert booking is not None
        drafts = invoice_lines(booking, vat_rate_bp=500, late=POLICY.late)

    vat = [d.amount_minor for d in drafts if d.kind == "vat"]
    # 5% of 0.10 is half a fils, rounded up on each line; 5% of the 0.20 total would be 1 fils.
    assert vat == [1, 1]
    assert total_minor(drafts) == 22
    assert [d.kind for d in drafts] == ["rental", "extension", "vat", "vat"]
    assert (vat_of(10, 500), vat_of(9, 500), vat_within(10_500, 500)) == (1, 0, 500)


def test_refunds_and_cancellations_become_credit_notes_once(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(DAY), days=3, amount_minor=30_000)
    add_booking(sqlite_db, "B-2", pickup_at=dubai(DAY), days=2, amount_minor=20_000)
    with sqlite_db.write() as session:
        request_payment(session, PaymentInput("P-1", "B-1", 30_000, "AED", "src_x"), now=NOW)
    refresh_documents(sqlite_db, POLICY, now=NOW)
    with sqlite_db.write() as session:
        request_refund(
            session,
            refund_id="R-1",
            payment_id="P-1",
            amount_minor=10_500,
            reason="returned early",
            now=NOW,
        )
        booking = session.get(Booking, "B-2")
        assert booking is not None
        booking.status = "canceled"
    confirm_refunds(sqlite_db)

    first = refresh_documents(sqlite_db, POLICY, now=NOW)
    again = refresh_documents(sqlite_db, POLICY, now=NOW)

    assert (first.credit_notes_created, again.credit_notes_created) == (2, 0)
    assert again.invoices_updated == 0
    with sqlite_db.read() as session:
        notes = {
            n.id: (n.kind, n.amount_minor, n.vat_minor) for n in session.scalars(select(CreditNote))
        }
        invoices = session.scalar(select(Invoice.id).where(Invoice.booking_id == "B-2"))
        queued = sorted(
            r.record_id
            for r in session.scalars(select(OutboxRow).where(OutboxRow.entity == "credit_note"))
        )
    assert notes == {"CN-R-1": ("refund", 10_000, 500), "CXL-B-2": ("cancellation", 20_000, 1_000)}
    assert invoices == "B-2"
    assert queued == ["CN-R-1", "CXL-B-2"]
