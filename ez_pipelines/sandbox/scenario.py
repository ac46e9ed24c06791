"""A deterministic month of car-rental activity, for the demo, the tests and the benchmarks.

Everything comes from one `random.Random(seed)`, and dates from the month asked for, never from
the clock: the same seed and month give the same scenario on every machine. The month is split
in two phases so a demo can sync, let the business move on, and sync again.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date

from ez_pipelines.canonical.customers import CustomerInput
from ez_pipelines.sandbox.scenario_apply import PhaseOutOfOrder, PhaseReport, apply_phase
from ez_pipelines.sandbox.scenario_export import export_csv
from ez_pipelines.sandbox.scenario_fleet import generate_fleet
from ez_pipelines.sandbox.scenario_model import (
    ChargeEvent,
    ExtensionEvent,
    FormContact,
    Phase,
    ReturnEvent,
    Scenario,
)
from ez_pipelines.sandbox.scenario_names import LOYALTY_TIERS
from ez_pipelines.sandbox.scenario_people import PeopleGenerator, Profile, recase
from ez_pipelines.sandbox.scenario_rentals import generate_rentals

__all__ = [
    "ChargeEvent",
    "ExtensionEvent",
    "FormContact",
    "Phase",
    "PhaseOutOfOrder",
    "PhaseReport",
    "ReturnEvent",
    "Scenario",
    "apply_phase",
    "export_csv",
    "generate_month",
]

FLEET_SIZE = 80
BOOKINGS_PER_CUSTOMER = 1.5
FIRST_PHASE_SHARE = 0.85
PROFILE_UPDATE_SHARE = 0.10
FORM_CONTACT_SHARE = 0.05


def generate_month(seed: int, month: date, customers: int = 600) -> Scenario:
    """A month of activity by `customers` customers, split into two phases."""
    if customers < 2:
        raise ValueError("a scenario needs at least two customers")
    rng = random.Random(seed)
    people = PeopleGenerator(rng)
    fleet = generate_fleet(rng, FLEET_SIZE, month.year)
    profiles = _profiles(rng, people, customers)

    cut = round(customers * FIRST_PHASE_SHARE)
    early, late = profiles[:cut], profiles[cut:]
    updated = rng.sample(early, round(len(early) * PROFILE_UPDATE_SHARE))
    ids = ([p.customer.id for p in early], [p.customer.id for p in late])
    rentals = generate_rentals(rng, month, ids, fleet, round(customers * BOOKINGS_PER_CUSTOMER))

    first = Phase(
        number=1,
        vehicles=tuple(car.vehicle for car in fleet),
        customers=tuple(p.customer for p in early),
        bookings=tuple(rentals.first),
    )
    second = Phase(
        number=2,
        customers=tuple(p.customer for p in late),
        profile_updates=tuple(
            _profile_update(rng, people, p) for p in sorted(updated, key=lambda p: p.customer.id)
        ),
        bookings=tuple(rentals.second),
        cancellations=tuple(rentals.cancellations),
        extensions=tuple(rentals.extensions),
        returns=tuple(rentals.returns),
        charges=tuple(rentals.charges),
    )
    return Scenario(seed, month, (first, second), _form_contacts(rng, profiles))


def _profiles(rng: random.Random, people: PeopleGenerator, count: int) -> list[Profile]:
    """`count` customers; a few pairs are relatives sharing one address in different case."""
    pairs = min(max(2, count // 100), count // 2)
    shares_with_previous = {i + 1 for i in rng.sample(range(0, count - 1, 2), pairs)}
    profiles: list[Profile] = []
    for index in range(count):
        customer_id = f"C-{index + 1:06d}"
        if index in shares_with_previous:
            profiles.append(people.family_member(customer_id, profiles[-1]))
            continue
        profile = people.customer(customer_id)
        while index + 1 in shares_with_previous and profile.customer.email is None:
            profile = people.customer(customer_id)
        profiles.append(profile)
    return profiles


def _profile_update(rng: random.Random, people: PeopleGenerator, profile: Profile) -> CustomerInput:
    """A change a customer makes to their profile.

    Half touch what vendors hold (the family name, the number itself); the rest change only the
    way the number was written or the loyalty tier, which no vendor receives, so a sync of
    them must find nothing to send.
    """
    customer = profile.customer
    change = rng.choices(("family_name", "phone", "phone_spelling", "tier"), (35, 20, 25, 20))[0]
    if change == "family_name":
        return dataclasses.replace(customer, family_name=rng.choice(profile.family_alternatives))
    if change == "phone":
        return dataclasses.replace(customer, phone=people.new_phone())
    if change == "phone_spelling" and len(profile.phone_spellings) > 1:
        others = [s for s in profile.phone_spellings if s != customer.phone]
        return dataclasses.replace(customer, phone=rng.choice(others))
    tiers = [t for t in LOYALTY_TIERS if t != customer.loyalty_tier]
    return dataclasses.replace(customer, loyalty_tier=rng.choice(tiers))


def _form_contacts(rng: random.Random, profiles: list[Profile]) -> tuple[FormContact, ...]:
    """Contacts a web form created from some customers' addresses, typed in another case."""
    with_email = [p for p in profiles if p.customer.email]
    chosen = rng.sample(with_email, round(len(profiles) * FORM_CONTACT_SHARE))
    contacts = []
    for profile in sorted(chosen, key=lambda p: p.customer.id):
        email = recase(profile.customer.email or "", rng)
        if rng.random() < 0.2:
            email += " "
        given, family = profile.email_latin
        if rng.random() < 0.25:
            family = ""  # a form that asked only for a first name
        contacts.append(FormContact(email, given, family))
    return tuple(contacts)
