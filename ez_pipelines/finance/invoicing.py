"""A booking's invoice lines: rental, extensions, a late-return fee, other charges, and VAT.

Pure functions of the booking; `documents.py` stores the result. Amounts on the booking are VAT
exclusive. VAT is computed on each line, rounded half up on that line, and shown on a line of
its own; the invoice total is the sum of the lines, never a 5% of the total rounded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ez_pipelines.canonical.models import Booking
from ez_pipelines.finance.rental_days import dubai_date, started_days

BASIS = 10_000


@dataclass(frozen=True)
class LateReturnPolicy:
    """A return later than the due time plus `grace_minutes` pays, for every started day late
    (counted from the due time), `day_percent` of the booked daily rate."""

    grace_minutes: int = 60
    day_percent: int = 100

    def fee(
        self, *, due: datetime, returned_at: datetime, daily_rate_minor: int
    ) -> tuple[int, int]:
        """(days charged, fee) for a car due at `due` and returned at `returned_at`."""
        if returned_at - due <= timedelta(minutes=self.grace_minutes):
            return 0, 0
        days = started_days(due, returned_at)
        return days, daily_rate_minor * self.day_percent * days // 100


@dataclass(frozen=True)
class LineDraft:
    kind: str
    """rental|extension|late_return|charge|vat"""
    description: str
    quantity: int
    unit_amount_minor: int
    amount_minor: int
    vat_rate_bp: int
    vat_minor: int


def vat_of(amount_minor: int, rate_bp: int) -> int:
    """VAT on one line, rounded half up to the minor unit."""
    return (amount_minor * rate_bp * 2 + BASIS) // (2 * BASIS)


def vat_within(gross_minor: int, rate_bp: int) -> int:
    """The VAT contained in a VAT-inclusive amount (a refund paid back), rounded half up."""
    return (gross_minor * rate_bp * 2 + BASIS + rate_bp) // (2 * (BASIS + rate_bp))


def _priced(kind: str, description: str, days: int, amount: int, rate_bp: int) -> LineDraft:
    # Daily rate times days when the price divides evenly; otherwise one unit at the price,
    # so quantity times unit amount is always the line amount.
    quantity, unit = (days, amount // days) if days and amount % days == 0 else (1, amount)
    return LineDraft(kind, description, quantity, unit, amount, rate_bp, vat_of(amount, rate_bp))


def booked_days(booking: Booking) -> int:
    return max(started_days(booking.pickup_at, booking.return_due_at), 1)


def invoice_lines(booking: Booking, *, vat_rate_bp: int, late: LateReturnPolicy) -> list[LineDraft]:
    """Every line of the booking's invoice, in order, VAT lines last."""
    days = booked_days(booking)
    first, last = dubai_date(booking.pickup_at), dubai_date(booking.return_due_at)
    items = [
        _priced(
            "rental",
            f"Car rental {first:%d %b} to {last:%d %b %Y}, {days} days",
            days,
            booking.rental_amount_minor,
            vat_rate_bp,
        )
    ]
    due = booking.return_due_at
    for extension in booking.extensions:
        added = max(
            started_days(booking.pickup_at, extension.extended_to) - booked_days_to(booking, due), 0
        )
        items.append(
            _priced(
                "extension",
                f"Extension to {dubai_date(extension.extended_to):%d %b %Y}, {added} days",
                added,
                extension.amount_minor,
                vat_rate_bp,
            )
        )
        due = max(due, extension.extended_to)

    recorded_late_fee = any(c.kind == "late_return" for c in booking.charges)
    if booking.returned_at is not None and not recorded_late_fee:
        rate = booking.rental_amount_minor // days
        late_days, fee = late.fee(due=due, returned_at=booking.returned_at, daily_rate_minor=rate)
        if fee:
            description = f"Late return, {late_days} started day{'s' if late_days > 1 else ''}"
            items.append(_priced("late_return", description, late_days, fee, vat_rate_bp))
    for charge in booking.charges:
        kind = "late_return" if charge.kind == "late_return" else "charge"
        items.append(_priced(kind, charge.description, 1, charge.amount_minor, vat_rate_bp))

    vat_lines = [
        LineDraft(
            "vat",
            f"VAT {vat_rate_bp / 100:g}% on {item.description}",
            1,
            item.vat_minor,
            item.vat_minor,
            0,
            0,
        )
        for item in items
        if item.vat_minor
    ]
    return items + vat_lines


def booked_days_to(booking: Booking, due: datetime) -> int:
    return max(started_days(booking.pickup_at, due), 1)


def deferrable_minor(lines: list[LineDraft]) -> int:
    """The part of an invoice recognised over the rental: its rental and extension lines."""
    return sum(line.amount_minor for line in lines if line.kind in ("rental", "extension"))


def total_minor(lines: list[LineDraft]) -> int:
    return sum(line.amount_minor for line in lines)
