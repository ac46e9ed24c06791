"""Payments in the store, and Checkout.com events in the inbox, for payment tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ez_pipelines.canonical.bookings import BookingInput, upsert_booking
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.canonical.payments import PaymentInput, request_payment
from ez_pipelines.inbox.store import record_event
from ez_pipelines.outbox.tables import OutboxRow
from ez_pipelines.vendors.checkout.events import parse_event
from tests.payments.events import T0


def add_booking_payment(
    db: Database, payment_id: str, amount_minor: int, *, now: datetime, source: str = "src_ok"
) -> None:
    booking_id = f"B-{payment_id}"
    with db.write() as session:
        upsert_customer(session, CustomerInput(f"C-{payment_id}", "Layla", "Haddad"), now=now)
        upsert_booking(
            session,
            BookingInput(
                id=booking_id,
                customer_id=f"C-{payment_id}",
                vehicle_id=None,
                pickup_at=T0,
                return_due_at=T0.replace(day=T0.day + 3),
                rental_amount_minor=amount_minor,
                currency="AED",
            ),
            now=now,
        )
        request_payment(
            session, PaymentInput(payment_id, booking_id, amount_minor, "AED", source), now=now
        )


def deliver(db: Database, body: bytes, *, now: datetime) -> bool:
    """What the webhook receiver does with a verified delivery."""
    event = parse_event(body)
    with db.write() as session:
        return record_event(
            session,
            system="checkout",
            event_id=event.id,
            event_type=event.type,
            occurred_at=event.occurred_at,
            body=body,
            received_at=now,
            status="received" if event.is_known else "unknown",
        )


def payment(db: Database, payment_id: str) -> Payment:
    with db.read() as session:
        found = session.get(Payment, payment_id)
        assert found is not None
        return found


def queued(db: Database, system: str, entity: str) -> list[str]:
    with db.read() as session:
        rows = session.scalars(
            select(OutboxRow.record_id).where(
                OutboxRow.system == system, OutboxRow.entity == entity
            )
        )
        return sorted(rows)
