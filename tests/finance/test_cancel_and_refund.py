"""A booking canceled and refunded is credited once, and its revenue reversed once.

The cancellation's credit note gives back the whole invoice; the refund is the money going back
for it, not a second credit. A refund becomes a credit note only once Checkout.com confirmed it.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, Payment, PaymentAction
from ez_pipelines.canonical.payments import request_refund
from ez_pipelines.finance.documents import InvoicingPolicy, refresh_documents
from ez_pipelines.finance.tables import CreditNote
from tests.finance.helpers import NOW, post_days
from tests.payments.events import T0
from tests.payments.reconcile_fakes import FakeCheckout, captured_payment

POLICY = InvoicingPolicy()
FIRST = T0.date()  # 2 November, the pickup's Dubai day


def paid_booking(db: Database) -> None:
    """B-P-1: 3 days from 2 November for 300.00, captured in full."""
    captured_payment(db, FakeCheckout(), None, "P-1", 30_000, now=T0)
    refresh_documents(db, POLICY, now=NOW)


def refund(db: Database, amount_minor: int, *, confirmed: bool) -> None:
    with db.write() as session:
        request_refund(
            session,
            refund_id="R-1",
            payment_id="P-1",
            amount_minor=amount_minor,
            reason="canceled",
            now=NOW,
        )
        if confirmed:
            session.add(
                PaymentAction(
                    id="act_refund_1",
                    payment_id="P-1",
                    kind="refund",
                    amount_minor=amount_minor,
                    currency="AED",
                    processed_at=NOW,
                    recorded_at=NOW,
                )
            )
            payment = session.get(Payment, "P-1")
            assert payment is not None
            payment.refunded_minor = amount_minor


def cancel(db: Database) -> None:
    with db.write() as session:
        booking = session.get(Booking, "B-P-1")
        assert booking is not None
        booking.status = "canceled"


def notes(db: Database) -> list[tuple[str, int, int]]:
    with db.read() as session:
        return [
            (n.kind, n.amount_minor, n.vat_minor)
            for n in session.scalars(select(CreditNote).order_by(CreditNote.id))
        ]


def test_a_booking_canceled_then_refunded_is_credited_once(sqlite_db: Database) -> None:
    paid_booking(sqlite_db)
    cancel(sqlite_db)
    refund(sqlite_db, 31_500, confirmed=True)

    refresh_documents(sqlite_db, POLICY, now=NOW)
    refresh_documents(sqlite_db, POLICY, now=NOW)

    assert notes(sqlite_db) == [("cancellation", 30_000, 1_500)]


def test_a_booking_refunded_then_canceled_is_credited_once(sqlite_db: Database) -> None:
    paid_booking(sqlite_db)
    refund(sqlite_db, 10_500, confirmed=True)
    refresh_documents(sqlite_db, POLICY, now=NOW)
    cancel(sqlite_db)

    refresh_documents(sqlite_db, POLICY, now=NOW)

    # The refund already gave back 100.00 + 5.00 VAT; the cancellation gives back the rest.
    assert notes(sqlite_db) == [("refund", 10_000, 500), ("cancellation", 20_000, 1_000)]
    assert sum(amount + vat for _, amount, vat in notes(sqlite_db)) == 31_500


def test_a_refund_not_confirmed_yet_has_no_credit_note(sqlite_db: Database) -> None:
    paid_booking(sqlite_db)
    refund(sqlite_db, 10_500, confirmed=False)

    refresh_documents(sqlite_db, POLICY, now=NOW)

    assert notes(sqlite_db) == []


def test_revenue_of_a_booking_canceled_and_refunded_mid_rental_is_reversed_once(
    sqlite_db: Database,
) -> None:
    paid_booking(sqlite_db)
    first = post_days(sqlite_db, FIRST, FIRST + timedelta(days=1))
    cancel(sqlite_db)
    refund(sqlite_db, 31_500, confirmed=True)
    refresh_documents(sqlite_db, POLICY, now=NOW)

    rest = post_days(sqlite_db, FIRST + timedelta(days=2), FIRST + timedelta(days=4))

    daily = {row.day: row.recognised_minor for r in first + rest for row in r.rows}
    assert daily[FIRST] == daily[FIRST + timedelta(days=1)] == 10_000
    assert daily[FIRST + timedelta(days=2)] == -20_000
    assert sum(daily.values()) == 0
    assert all(row.closing_minor == 0 for r in rest for row in r.rows)
    assert date(2026, 11, 2) == FIRST
