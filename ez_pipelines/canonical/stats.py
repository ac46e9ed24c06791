"""How much the canonical store holds, for asset metadata and the demo's comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import (
    Booking,
    BookingExtension,
    Charge,
    Customer,
    Payment,
    RefundRequest,
    Vehicle,
)


@dataclass(frozen=True)
class TableStats:
    rows: int
    last_change: datetime | None


def customer_stats(db: Database) -> TableStats:
    with db.read() as session:
        rows, last = session.execute(select(func.count(), func.max(Customer.updated_at))).one()
    return TableStats(int(rows), last)


def booking_stats(db: Database) -> dict[str, int]:
    with db.read() as session:
        bookings = session.scalar(select(func.count()).select_from(Booking)) or 0
        by_status = dict(
            session.execute(select(Booking.status, func.count()).group_by(Booking.status)).all()
        )
        extensions = session.scalar(select(func.count()).select_from(BookingExtension)) or 0
        charges = session.scalar(select(func.count()).select_from(Charge)) or 0
        vehicles = session.scalar(select(func.count()).select_from(Vehicle)) or 0
    return {
        "bookings": int(bookings),
        "extensions": int(extensions),
        "charges": int(charges),
        "vehicles": int(vehicles),
        **{f"status_{status}": int(count) for status, count in by_status.items()},
    }


def distinct_contact_identities(db: Database) -> int:
    """People as an email-keyed CRM sees them: one per email key, plus each customer without one."""
    with db.read() as session:
        keyed = session.scalar(select(func.count(func.distinct(Customer.email_key)))) or 0
        unkeyed = session.scalar(
            select(func.count()).select_from(Customer).where(Customer.email_key.is_(None))
        )
    return int(keyed) + int(unkeyed or 0)


def payment_stats(db: Database) -> dict[str, int]:
    """Payments by status, and the money they moved, in minor units."""
    with db.read() as session:
        by_status = dict(
            session.execute(select(Payment.status, func.count()).group_by(Payment.status)).all()
        )
        captured, refunded = session.execute(
            select(
                func.coalesce(func.sum(Payment.captured_minor), 0),
                func.coalesce(func.sum(Payment.refunded_minor), 0),
            )
        ).one()
        refunds = session.scalar(select(func.count()).select_from(RefundRequest)) or 0
    return {
        "payments": int(sum(by_status.values())),
        "captured_minor": int(captured),
        "refunded_minor": int(refunded),
        "refund_requests": int(refunds),
        **{f"status_{status}": int(count) for status, count in by_status.items()},
    }
