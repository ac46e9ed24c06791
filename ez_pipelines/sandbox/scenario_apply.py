"""Writing a scenario's phase through the canonical functions, as production writes."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.bookings import (
    BookingInput,
    VehicleInput,
    add_charge,
    extend_booking,
    record_return,
    upsert_booking,
    upsert_vehicle,
)
from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, Customer
from ez_pipelines.sandbox.scenario_model import (
    ChargeEvent,
    ExtensionEvent,
    ReturnEvent,
    Scenario,
)

log = logging.getLogger(__name__)

# The numbers in the scenario are written as a desk in the UAE takes them.
SCENARIO_REGION = "AE"
# Small enough that a writer never holds SQLite's write lock for long, large enough to be quick.
BATCH_SIZE = 200

KINDS = (
    "vehicles",
    "customers",
    "profile_updates",
    "bookings",
    "cancellations",
    "extensions",
    "returns",
    "charges",
)

T = TypeVar("T")


class PhaseOutOfOrder(ValueError):
    """A phase written before the phases it builds on; nothing was written."""


@dataclass(frozen=True)
class PhaseReport:
    phase: int
    counts: dict[str, Counter[Change]] = field(default_factory=dict)

    def count(self, kind: str, change: Change) -> int:
        return self.counts.get(kind, Counter())[change]

    def lines(self) -> list[str]:
        """One line per kind written: `customers: 510 created, 0 updated, 0 unchanged`."""
        return [
            f"{kind}: " + ", ".join(f"{self.count(kind, c)} {c.value}" for c in Change)
            for kind in KINDS
            if kind in self.counts
        ]


def apply_phase(db: Database, scenario: Scenario, phase: int, *, now: datetime) -> PhaseReport:
    """Write phase `phase` of `scenario`, queueing syncs exactly as production changes do.

    Phases build on each other: phase 2 raises PhaseOutOfOrder, writing nothing, when phase 1
    is not in the store. Writing the latest phase again changes nothing; writing phase 1 after
    phase 2 takes the store back to the middle of the month.
    """
    part = scenario.phase(phase)
    _check_earlier_phases(db, scenario, phase)
    report = PhaseReport(phase)

    def customer(session: Session, data: CustomerInput) -> Change:
        return upsert_customer(session, data, now=now, default_region=SCENARIO_REGION)

    def vehicle(session: Session, data: VehicleInput) -> Change:
        return upsert_vehicle(session, data, now=now)

    def booking(session: Session, data: BookingInput) -> Change:
        return upsert_booking(session, data, now=now)

    def extension(session: Session, data: ExtensionEvent) -> Change:
        return extend_booking(
            session,
            data.booking_id,
            extended_to=data.extended_to,
            amount_minor=data.amount_minor,
            now=now,
        )

    def returned(session: Session, data: ReturnEvent) -> Change:
        return record_return(session, data.booking_id, returned_at=data.returned_at, now=now)

    def charge(session: Session, data: ChargeEvent) -> Change:
        return add_charge(
            session,
            charge_id=data.id,
            booking_id=data.booking_id,
            kind=data.kind,
            description=data.description,
            amount_minor=data.amount_minor,
            incurred_at=data.incurred_at,
            now=now,
        )

    _write(db, report, "vehicles", part.vehicles, vehicle)
    _write(db, report, "customers", part.customers, customer)
    _write(db, report, "profile_updates", part.profile_updates, customer)
    _write(db, report, "bookings", part.bookings, booking)
    _write(db, report, "cancellations", part.cancellations, booking)
    _write(db, report, "extensions", part.extensions, extension)
    _write(db, report, "returns", part.returns, returned)
    _write(db, report, "charges", part.charges, charge)
    return report


def _check_earlier_phases(db: Database, scenario: Scenario, phase: int) -> None:
    # Checked up front: the phase is written in many transactions, and one that failed half
    # way would leave, say, profile updates turned into customers of their own.
    earlier = scenario.phases[: phase - 1]
    customers = {c.id for p in earlier for c in p.customers}
    bookings = {b.id for p in earlier for b in p.bookings}
    if not customers and not bookings:
        return
    with db.read() as session:
        missing = len(customers - set(session.scalars(select(Customer.id))))
        missing += len(bookings - set(session.scalars(select(Booking.id))))
    if missing:
        raise PhaseOutOfOrder(
            f"phase {phase} builds on phase {phase - 1}, and {missing} of its records are not "
            "in the store: write the earlier phases of the same scenario first"
        )


def _write(
    db: Database,
    report: PhaseReport,
    kind: str,
    items: Sequence[T],
    write: Callable[[Session, T], Change],
) -> None:
    if not items:
        return
    counts = report.counts.setdefault(kind, Counter())
    for start in range(0, len(items), BATCH_SIZE):
        with db.write() as session:
            batch_counts = Counter(
                write(session, item) for item in items[start : start + BATCH_SIZE]
            )
        # Counted only once the batch has committed, so the report never claims a rollback.
        counts.update(batch_counts)
    log.info(
        "phase %d %s: %d created, %d updated, %d unchanged",
        report.phase,
        kind,
        counts[Change.CREATED],
        counts[Change.UPDATED],
        counts[Change.UNCHANGED],
    )
