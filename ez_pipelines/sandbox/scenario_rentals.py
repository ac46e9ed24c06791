"""A month of rentals: bookings, and what happens to them while the cars are out."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ez_pipelines.canonical.bookings import BookingInput
from ez_pipelines.sandbox.scenario_fleet import FleetCar
from ez_pipelines.sandbox.scenario_model import ChargeEvent, ExtensionEvent, ReturnEvent

DUBAI = ZoneInfo("Asia/Dubai")
CURRENCY = "AED"
SALIK_CROSSING_MINOR = 400
DELIVERY_AREAS = (
    "Dubai Marina",
    "Downtown Dubai",
    "JBR",
    "Business Bay",
    "DXB Terminal 3",
    "Palm Jumeirah",
    "Al Barsha",
    "Deira",
)
# Most rentals last a few days; a minority are monthly.
DURATION_BUCKETS = ((1, 3, 40), (4, 7, 30), (8, 14, 15), (15, 30, 15))


@dataclass
class Rentals:
    first: list[BookingInput] = field(default_factory=list)
    second: list[BookingInput] = field(default_factory=list)
    cancellations: list[BookingInput] = field(default_factory=list)
    extensions: list[ExtensionEvent] = field(default_factory=list)
    returns: list[ReturnEvent] = field(default_factory=list)
    charges: list[ChargeEvent] = field(default_factory=list)


@dataclass(frozen=True)
class _Draft:
    pickup_at: datetime
    customer_id: str
    car: FleetCar
    days: int
    first_phase: bool


def month_bounds(month: date) -> tuple[datetime, datetime, datetime]:
    """Start, middle (the 16th) and end of `month` as Dubai midnights, in UTC."""
    start = datetime(month.year, month.month, 1, tzinfo=DUBAI)
    middle = start.replace(day=16)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    end = datetime(following.year, following.month, 1, tzinfo=DUBAI)
    return start.astimezone(UTC), middle.astimezone(UTC), end.astimezone(UTC)


def generate_rentals(
    rng: random.Random,
    month: date,
    customers: tuple[Sequence[str], Sequence[str]],
    fleet: Sequence[FleetCar],
    count: int,
) -> Rentals:
    """`count` bookings by `customers` (those of phase 1, those of phase 2) over `month`."""
    start, middle, end = month_bounds(month)
    early, everyone = set(customers[0]), [*customers[0], *customers[1]]
    drafts = []
    for _ in range(count):
        customer_id = rng.choice(everyone)
        # A customer who first appears in phase 2 can only have booked after the middle.
        first_day = 0 if customer_id in early else (middle - start).days
        day = rng.randrange(first_day, (end - start).days)
        local = (start + timedelta(days=day)).astimezone(DUBAI)
        pickup = local.replace(hour=rng.randrange(8, 22), minute=rng.choice((0, 30)))
        low, high, _ = rng.choices(DURATION_BUCKETS, weights=[b[2] for b in DURATION_BUCKETS])[0]
        pickup_at = pickup.astimezone(UTC)
        first_phase = customer_id in early and pickup_at < middle
        car = rng.choice(fleet)
        drafts.append(_Draft(pickup_at, customer_id, car, rng.randint(low, high), first_phase))
    drafts.sort(key=lambda d: (d.pickup_at, d.customer_id))

    rentals = Rentals()
    for number, draft in enumerate(drafts, start=1):
        booking = BookingInput(
            id=f"B-{number:06d}",
            customer_id=draft.customer_id,
            vehicle_id=draft.car.vehicle.id,
            pickup_at=draft.pickup_at,
            return_due_at=draft.pickup_at + timedelta(days=draft.days),
            rental_amount_minor=draft.car.daily_rate_minor * draft.days,
            currency=CURRENCY,
        )
        if draft.first_phase and rng.random() < 0.03:
            rentals.first.append(booking)
            rentals.cancellations.append(dataclasses.replace(booking, status="canceled"))
            continue
        returned_at = _events(rng, rentals, booking, draft, end)
        if draft.first_phase:
            rentals.first.append(booking)
            if returned_at is not None:
                rentals.returns.append(ReturnEvent(booking.id, returned_at))
        elif returned_at is not None:
            # Written once, as it stands at the end of the month, so writing phase 2 again
            # finds nothing to change.
            rentals.second.append(
                dataclasses.replace(booking, returned_at=returned_at, status="returned")
            )
        else:
            rentals.second.append(booking)
    return rentals


def _events(
    rng: random.Random, rentals: Rentals, booking: BookingInput, draft: _Draft, end: datetime
) -> datetime | None:
    """Extension and charges of one booking before `end`, and when it was returned, if it was."""
    rate, due = draft.car.daily_rate_minor, booking.return_due_at
    if rng.random() < 0.15:
        extra = rng.randint(1, 7)
        due += timedelta(days=extra)
        rentals.extensions.append(ExtensionEvent(booking.id, due, rate * extra))
    extended = due != booking.return_due_at

    late_hours = 0
    outcome = rng.random()
    if outcome < 0.10 and not extended and draft.days >= 2:
        early_by = timedelta(days=rng.randint(1, draft.days - 1), minutes=rng.randrange(60))
        returned_at = due - early_by
    elif outcome < 0.20:
        late_hours = rng.randint(2, 30)
        returned_at = due + timedelta(hours=late_hours)
    else:
        returned_at = due - timedelta(minutes=rng.randrange(0, 120, 5))

    charge = _ChargeWriter(rentals, booking.id)
    if rng.random() < 0.06:
        area = rng.choice(DELIVERY_AREAS)
        amount = rng.choice((50, 75, 100, 150)) * 100
        charge.add("delivery", f"Delivery to {area}", amount, booking.pickup_at)
    if returned_at > end:
        return None
    if late_hours:
        days_charged = math.ceil(late_hours / 24)
        days = "1 extra day" if days_charged == 1 else f"{days_charged} extra days"
        description = f"Returned {late_hours} h late, {days}"
        charge.add("late_return", description, rate * days_charged, returned_at)
    if rng.random() < 0.3:
        crossings = rng.randint(1, min(40, 3 * draft.days))
        description = f"Salik: {crossings} toll gate crossing{'s' if crossings > 1 else ''}"
        charge.add("toll", description, crossings * SALIK_CROSSING_MINOR, returned_at)
    if rng.random() < 0.08:
        amount = rng.randrange(60, 251, 5) * 100
        charge.add("fuel", "Refuelling on return", amount, returned_at)
    return returned_at


@dataclass
class _ChargeWriter:
    rentals: Rentals
    booking_id: str

    def add(self, kind: str, description: str, amount_minor: int, at: datetime) -> None:
        number = len(self.rentals.charges) + 1
        self.rentals.charges.append(
            ChargeEvent(f"CH-{number:06d}", self.booking_id, kind, description, amount_minor, at)
        )
