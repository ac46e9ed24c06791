"""The import file formats, and how one row of each becomes a canonical write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.bookings import (
    BookingInput,
    VehicleInput,
    add_charge,
    extend_booking,
    get_booking,
    upsert_booking,
    upsert_vehicle,
)
from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.customers import (
    CustomerInput,
    InvalidRecord,
    upsert_customer,
    validate_record_id,
)
from ez_pipelines.canonical.importer_fields import (
    country_code,
    instant,
    optional_instant,
    optional_text,
    optional_year,
    text,
)
from ez_pipelines.canonical.models import Customer, Vehicle
from ez_pipelines.canonical.money import to_minor

ID_LENGTH = 64
# Amounts are stored as signed 64-bit integers of minor units.


@dataclass(frozen=True)
class RowContext:
    now: datetime
    default_region: str
    zone: tzinfo


RowWriter = Callable[[Session, Mapping[str, str], RowContext], Change]


@dataclass(frozen=True)
class FileFormat:
    kind: str
    columns: tuple[str, ...]
    id_column: str
    write: RowWriter


def write_customer(session: Session, row: Mapping[str, str], ctx: RowContext) -> Change:
    customer_id = validate_record_id(text(row, "customer_id", max_length=ID_LENGTH))
    stored = session.get(Customer, customer_id)
    data = CustomerInput(
        id=customer_id,
        given_name=optional_text(row, "given_name", max_length=100) or "",
        family_name=optional_text(row, "family_name", max_length=100) or "",
        email=optional_text(row, "email", max_length=254),
        phone=optional_text(row, "phone", max_length=64),
        country=country_code(row, "country"),
        # The file does not carry the tier; importing a customer must not reset it.
        loyalty_tier=stored.loyalty_tier if stored else "standard",
    )
    return upsert_customer(session, data, now=ctx.now, default_region=ctx.default_region)


def write_vehicle(session: Session, row: Mapping[str, str], ctx: RowContext) -> Change:
    vehicle_id = validate_record_id(text(row, "vehicle_id", max_length=ID_LENGTH))
    plate = text(row, "plate", max_length=16).upper()
    owner = session.scalar(
        select(Vehicle.id).where(Vehicle.plate == plate, Vehicle.id != vehicle_id)
    )
    if owner is not None:
        raise InvalidRecord(f"plate {plate} already belongs to vehicle {owner}")
    data = VehicleInput(
        id=vehicle_id,
        plate=plate,
        make=text(row, "make", max_length=40),
        model=text(row, "model", max_length=40),
        year=optional_year(row, "year"),
    )
    return upsert_vehicle(session, data, now=ctx.now)


def write_booking(session: Session, row: Mapping[str, str], ctx: RowContext) -> Change:
    currency = text(row, "currency", max_length=3).upper()
    data = BookingInput(
        id=validate_record_id(text(row, "booking_id", max_length=ID_LENGTH)),
        customer_id=text(row, "customer_id", max_length=ID_LENGTH),
        vehicle_id=optional_text(row, "vehicle_id", max_length=ID_LENGTH),
        pickup_at=instant(row, "pickup_at", ctx.zone),
        return_due_at=instant(row, "return_due_at", ctx.zone),
        returned_at=optional_instant(row, "returned_at", ctx.zone),
        rental_amount_minor=_minor(row, "rental_amount", currency),
        currency=currency,
        status=optional_text(row, "status", max_length=16) or "reserved",
    )
    return upsert_booking(session, data, now=ctx.now)


def write_extension(session: Session, row: Mapping[str, str], ctx: RowContext) -> Change:
    booking = get_booking(session, text(row, "booking_id", max_length=ID_LENGTH))
    return extend_booking(
        session,
        booking.id,
        extended_to=instant(row, "extended_to", ctx.zone),
        amount_minor=_minor(row, "amount", booking.currency),
        now=ctx.now,
    )


def write_charge(session: Session, row: Mapping[str, str], ctx: RowContext) -> Change:
    charge_id = validate_record_id(text(row, "charge_id", max_length=ID_LENGTH))
    booking = get_booking(session, text(row, "booking_id", max_length=ID_LENGTH))
    return add_charge(
        session,
        charge_id=charge_id,
        booking_id=booking.id,
        kind=text(row, "kind", max_length=24),
        description=optional_text(row, "description", max_length=200) or "",
        amount_minor=_minor(row, "amount", booking.currency),
        incurred_at=instant(row, "incurred_at", ctx.zone),
        now=ctx.now,
    )


def _minor(row: Mapping[str, str], column: str, currency: str) -> int:
    return to_minor(text(row, column, max_length=32), currency)


# In dependency order: a file is imported after every kind listed before it.
FORMATS: tuple[FileFormat, ...] = (
    FileFormat(
        "customers",
        ("customer_id", "given_name", "family_name", "email", "phone", "country"),
        "customer_id",
        write_customer,
    ),
    FileFormat(
        "vehicles", ("vehicle_id", "plate", "make", "model", "year"), "vehicle_id", write_vehicle
    ),
    FileFormat(
        "bookings",
        (
            "booking_id",
            "customer_id",
            "vehicle_id",
            "pickup_at",
            "return_due_at",
            "returned_at",
            "rental_amount",
            "currency",
            "status",
        ),
        "booking_id",
        write_booking,
    ),
    FileFormat(
        "extensions", ("booking_id", "extended_to", "amount"), "booking_id", write_extension
    ),
    FileFormat(
        "charges",
        ("charge_id", "booking_id", "kind", "description", "amount", "incurred_at"),
        "charge_id",
        write_charge,
    ),
)
FORMAT_BY_KIND = {f.kind: f for f in FORMATS}
