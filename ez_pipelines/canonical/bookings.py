"""Vehicles, bookings, extensions, returns and charges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.changes import Change, apply_fields
from ez_pipelines.canonical.customers import InvalidRecord, validate_record_id
from ez_pipelines.canonical.models import Booking, BookingExtension, Charge, Customer, Vehicle
from ez_pipelines.canonical.money import exponent
from ez_pipelines.outbox.routes import enqueue_change

BOOKING_STATUSES = ("reserved", "active", "returned", "canceled")
CHARGE_KINDS = ("late_return", "fuel", "damage", "toll", "delivery", "other")


@dataclass(frozen=True)
class VehicleInput:
    id: str
    plate: str
    make: str
    model: str
    year: int | None = None


@dataclass(frozen=True)
class BookingInput:
    id: str
    customer_id: str
    vehicle_id: str | None
    pickup_at: datetime
    return_due_at: datetime
    rental_amount_minor: int
    currency: str
    status: str = "reserved"
    returned_at: datetime | None = None


def upsert_vehicle(session: Session, data: VehicleInput, *, now: datetime) -> Change:
    validate_record_id(data.id)
    fields: dict[str, object] = {
        "plate": data.plate.strip().upper(),
        "make": data.make,
        "model": data.model,
        "year": data.year,
    }
    vehicle = session.get(Vehicle, data.id)
    if vehicle is None:
        session.add(Vehicle(id=data.id, created_at=now, **fields))
        return Change.CREATED
    return Change.UPDATED if apply_fields(vehicle, fields) else Change.UNCHANGED


def _check_booking(session: Session, data: BookingInput) -> None:
    validate_record_id(data.id)
    if session.get(Customer, data.customer_id) is None:
        raise InvalidRecord(f"booking {data.id}: customer {data.customer_id} does not exist")
    if data.vehicle_id is not None and session.get(Vehicle, data.vehicle_id) is None:
        raise InvalidRecord(f"booking {data.id}: vehicle {data.vehicle_id} does not exist")
    if data.status not in BOOKING_STATUSES:
        raise InvalidRecord(f"booking {data.id}: status {data.status!r} is not one of ours")
    if data.rental_amount_minor < 0:
        raise InvalidRecord(f"booking {data.id}: amount is negative")
    if data.return_due_at <= data.pickup_at:
        raise InvalidRecord(f"booking {data.id}: return is not after pickup")
    if data.returned_at is not None and data.returned_at <= data.pickup_at:
        raise InvalidRecord(f"booking {data.id}: returned before pickup")
    exponent(data.currency)


def upsert_booking(session: Session, data: BookingInput, *, now: datetime) -> Change:
    _check_booking(session, data)
    fields = {
        "customer_id": data.customer_id,
        "vehicle_id": data.vehicle_id,
        "status": data.status,
        "pickup_at": data.pickup_at,
        "return_due_at": data.return_due_at,
        "returned_at": data.returned_at,
        "rental_amount_minor": data.rental_amount_minor,
        "currency": data.currency.upper(),
    }
    booking = session.get(Booking, data.id)
    if booking is None:
        session.add(Booking(id=data.id, created_at=now, updated_at=now, **fields))
        change = Change.CREATED
    elif apply_fields(booking, fields):
        booking.updated_at = now
        change = Change.UPDATED
    else:
        return Change.UNCHANGED
    enqueue_change(session, "booking", data.id, now)
    return change


def get_booking(session: Session, booking_id: str) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise InvalidRecord(f"booking {booking_id} does not exist")
    return booking


def extend_booking(
    session: Session, booking_id: str, *, extended_to: datetime, amount_minor: int, now: datetime
) -> Change:
    """Agree a later return for `amount_minor` more. The same extension twice changes nothing."""
    booking = get_booking(session, booking_id)
    if amount_minor < 0:
        raise InvalidRecord(f"booking {booking_id}: extension amount is negative")
    current_end = max([booking.return_due_at, *(e.extended_to for e in booking.extensions)])
    existing = session.scalars(
        select(BookingExtension).where(
            BookingExtension.booking_id == booking_id,
            BookingExtension.extended_to == extended_to,
        )
    ).one_or_none()
    if existing is not None:
        return Change.UNCHANGED
    if extended_to <= current_end:
        raise InvalidRecord(f"booking {booking_id}: extension does not move the return later")
    extension = BookingExtension(
        booking_id=booking_id,
        extended_to=extended_to,
        amount_minor=amount_minor,
        currency=booking.currency,
        agreed_at=now,
    )
    session.add(extension)
    booking.extensions.append(extension)
    booking.updated_at = now
    enqueue_change(session, "booking", booking_id, now)
    return Change.CREATED


def record_return(
    session: Session, booking_id: str, *, returned_at: datetime, now: datetime
) -> Change:
    booking = get_booking(session, booking_id)
    if returned_at <= booking.pickup_at:
        raise InvalidRecord(f"booking {booking_id}: returned before pickup")
    if not apply_fields(booking, {"returned_at": returned_at, "status": "returned"}):
        return Change.UNCHANGED
    booking.updated_at = now
    enqueue_change(session, "booking", booking_id, now)
    return Change.UPDATED


def add_charge(
    session: Session,
    *,
    charge_id: str,
    booking_id: str,
    kind: str,
    description: str,
    amount_minor: int,
    incurred_at: datetime,
    now: datetime,
) -> Change:
    validate_record_id(charge_id)
    booking = get_booking(session, booking_id)
    if kind not in CHARGE_KINDS:
        raise InvalidRecord(f"charge {charge_id}: kind {kind!r} is not one of ours")
    if amount_minor < 0:
        raise InvalidRecord(f"charge {charge_id}: amount is negative")
    fields = {
        "booking_id": booking_id,
        "kind": kind,
        "description": description,
        "amount_minor": amount_minor,
        "currency": booking.currency,
        "incurred_at": incurred_at,
    }
    charge = session.get(Charge, charge_id)
    if charge is None:
        session.add(Charge(id=charge_id, **fields))
        change = Change.CREATED
    elif apply_fields(charge, fields):
        change = Change.UPDATED
    else:
        return Change.UNCHANGED
    booking.updated_at = now
    enqueue_change(session, "booking", booking_id, now)
    return change
