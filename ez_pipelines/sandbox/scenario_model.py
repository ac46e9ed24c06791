"""The shape of a generated month: what each phase writes, as plain frozen values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from ez_pipelines.canonical.bookings import BookingInput, VehicleInput
from ez_pipelines.canonical.customers import CustomerInput

PHASES = (1, 2)


@dataclass(frozen=True)
class ExtensionEvent:
    booking_id: str
    extended_to: datetime
    amount_minor: int


@dataclass(frozen=True)
class ReturnEvent:
    booking_id: str
    returned_at: datetime


@dataclass(frozen=True)
class ChargeEvent:
    id: str
    booking_id: str
    kind: str
    description: str
    amount_minor: int
    incurred_at: datetime


@dataclass(frozen=True)
class FormContact:
    """A contact a web form left in the CRM before our first sync ever ran."""

    email: str
    given_name: str
    family_name: str


@dataclass(frozen=True)
class Phase:
    """Everything one phase writes, in the order it is written."""

    number: int
    vehicles: tuple[VehicleInput, ...] = ()
    customers: tuple[CustomerInput, ...] = ()
    profile_updates: tuple[CustomerInput, ...] = ()
    """The full new state of customers written in an earlier phase."""
    bookings: tuple[BookingInput, ...] = ()
    cancellations: tuple[BookingInput, ...] = ()
    """The full state, status canceled, of bookings written in an earlier phase."""
    extensions: tuple[ExtensionEvent, ...] = ()
    returns: tuple[ReturnEvent, ...] = ()
    charges: tuple[ChargeEvent, ...] = ()


@dataclass(frozen=True)
class Scenario:
    seed: int
    month: date
    phases: tuple[Phase, ...]
    form_contacts: tuple[FormContact, ...]

    def phase(self, number: int) -> Phase:
        if number not in PHASES:
            raise ValueError(f"a scenario has phases {PHASES}, not {number}")
        return self.phases[number - 1]

    @property
    def vehicles(self) -> tuple[VehicleInput, ...]:
        return tuple(v for p in self.phases for v in p.vehicles)

    @property
    def extensions(self) -> tuple[ExtensionEvent, ...]:
        return tuple(e for p in self.phases for e in p.extensions)

    @property
    def charges(self) -> tuple[ChargeEvent, ...]:
        return tuple(c for p in self.phases for c in p.charges)

    def final_customers(self) -> tuple[CustomerInput, ...]:
        """Each customer as it stands after every phase, in id order."""
        latest: dict[str, CustomerInput] = {}
        for phase in self.phases:
            for customer in (*phase.customers, *phase.profile_updates):
                latest[customer.id] = customer
        return tuple(latest[key] for key in sorted(latest))

    def final_bookings(self) -> tuple[BookingInput, ...]:
        """Each booking as it stands after every phase (returns applied), in id order."""
        latest: dict[str, BookingInput] = {}
        for phase in self.phases:
            for booking in (*phase.bookings, *phase.cancellations):
                latest[booking.id] = booking
            for returned in phase.returns:
                latest[returned.booking_id] = dataclasses.replace(
                    latest[returned.booking_id],
                    returned_at=returned.returned_at,
                    status="returned",
                )
        return tuple(latest[key] for key in sorted(latest))
