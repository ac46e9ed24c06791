"""Builders the finance tests share: bookings in Dubai time, days posted one after another."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ez_pipelines.canonical.bookings import BookingInput, upsert_booking
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import PaymentAction, RefundRequest
from ez_pipelines.finance.ledger import DayResult, recognise_day

DUBAI = ZoneInfo("Asia/Dubai")
NOW = datetime(2026, 11, 2, 12, 0, tzinfo=DUBAI)  # the test clock's start


def dubai(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=DUBAI)


def add_booking(
    db: Database,
    booking_id: str,
    *,
    pickup_at: datetime,
    days: int,
    amount_minor: int,
    customer_id: str = "C-1",
) -> None:
    with db.write() as session:
        upsert_customer(session, CustomerInput(customer_id, "Layla", "Haddad"), now=NOW)
        upsert_booking(
            session,
            BookingInput(
                id=booking_id,
                customer_id=customer_id,
                vehicle_id=None,
                pickup_at=pickup_at,
                return_due_at=pickup_at + timedelta(days=days),
                rental_amount_minor=amount_minor,
                currency="AED",
            ),
            now=NOW,
        )


def post_days(db: Database, first: date, last: date, *, max_lines: int = 500) -> list[DayResult]:
    """Post every day from `first` to `last`, in order, as the nightly schedule would."""
    results = []
    day = first
    while day <= last:
        results.append(recognise_day(db, day, max_lines=max_lines, now=NOW))
        day += timedelta(days=1)
    return results


def recognised(results: list[DayResult], booking_id: str) -> dict[date, int]:
    rows = [row for result in results for row in result.rows]
    return {row.day: row.recognised_minor for row in rows if row.booking_id == booking_id}


def confirm_refunds(db: Database) -> None:
    """Every refund asked for, confirmed as Checkout.com's refund action would confirm it."""
    with db.write() as session:
        for refund in session.scalars(select(RefundRequest)):
            if session.get(PaymentAction, f"act_{refund.id}") is None:
                session.add(
                    PaymentAction(
                        id=f"act_{refund.id}",
                        payment_id=refund.payment_id,
                        kind="refund",
                        amount_minor=refund.amount_minor,
                        currency=refund.currency,
                        processed_at=refund.requested_at,
                        recorded_at=refund.requested_at,
                    )
                )
