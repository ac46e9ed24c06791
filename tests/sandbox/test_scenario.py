"""The generated month: deterministic, realistic in its mess, accepted by the canonical store."""

from __future__ import annotations

import logging
import random
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ez_pipelines.canonical.bookings import CHARGE_KINDS
from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.contact_points import parse_email
from ez_pipelines.canonical.customers import customer_fields
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.importer import import_files
from ez_pipelines.canonical.models import Booking, BookingExtension, Charge, Customer, Vehicle
from ez_pipelines.cli import seed  # noqa: F401 - registers the command
from ez_pipelines.cli.root import main
from ez_pipelines.outbox.tables import OutboxRow
from ez_pipelines.sandbox.scenario import (
    PhaseReport,
    Scenario,
    apply_phase,
    export_csv,
    generate_month,
)

MONTH = date(2026, 11, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The scenario the database tests write: big enough for every kind of event, quick to write.
SMALL = 60

UAE_SPELLINGS = {
    "+971 50 123 4567": re.compile(r"\+971 5\d \d{3} \d{4}"),
    "050 123 4567": re.compile(r"05\d \d{3} \d{4}"),
    "00971 50 123 4567": re.compile(r"00971 5\d \d{3} \d{4}"),
    "+971 050 123 4567": re.compile(r"\+971 05\d \d{3} \d{4}"),
    "971501234567": re.compile(r"9715\d{8}"),
    "00971501234567": re.compile(r"009715\d{8}"),
}
ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture(scope="module")
def month() -> Scenario:
    return generate_month(7, MONTH)


@pytest.fixture(scope="module")
def small() -> Scenario:
    return generate_month(11, MONTH, customers=SMALL)


def test_same_seed_gives_the_same_month_whatever_the_global_random_state(
    month: Scenario,
) -> None:
    random.seed(1)
    again = generate_month(7, MONTH)
    random.seed(2)
    other = generate_month(8, MONTH)

    assert again == month
    assert other != month
    assert other.final_customers() != month.final_customers()


def test_a_month_has_500_customers_80_cars_and_about_one_and_a_half_bookings_each(
    month: Scenario,
) -> None:
    customers, bookings = month.final_customers(), month.final_bookings()

    assert len(customers) >= 500
    assert all(re.fullmatch(r"C-\d{6}", c.id) for c in customers)
    assert len(month.vehicles) == 80
    assert len({v.plate for v in month.vehicles}) == 80
    assert len(bookings) == round(1.5 * len(customers))
    first, second = month.phases
    assert len(first.customers) > len(second.customers) > 0
    assert len(first.bookings) > 0.4 * len(bookings)


def test_every_generated_customer_passes_canonical_validation(month: Scenario) -> None:
    first, second = month.phases
    for customer in (*first.customers, *second.customers, *second.profile_updates):
        customer_fields(customer, "AE")  # raises InvalidRecord on anything it refuses
    for contact in month.form_contacts:
        parse_email(contact.email)


def test_names_come_in_real_spelling_variants_arabic_script_and_from_abroad(
    month: Scenario,
) -> None:
    given = {c.given_name for c in month.final_customers()}
    family = {c.family_name for c in month.final_customers()}

    assert {"Mohammed", "Muhammad", "Mohamed"} <= given
    assert {"Abdul Rahman", "Abdulrahman"} <= given
    assert {"Al-Mansouri", "Al Mansouri"} <= family
    assert any(ARABIC_SCRIPT.search(name) for name in given | family)
    assert {"Sharma", "Smith", "Santos"} & family


def test_phones_arrive_in_all_six_uae_spellings_some_foreign_and_some_missing(
    month: Scenario,
) -> None:
    phones = [c.phone for c in month.final_customers()]
    written = [p for p in phones if p]

    for example, pattern in UAE_SPELLINGS.items():
        assert any(pattern.fullmatch(p) for p in written), f"no phone spelled like {example}"
    foreign = [customer_fields(c, "AE")["country"] for c in month.final_customers() if c.phone]
    assert {"GB", "IN", "SA"} & set(foreign)
    assert 0 < phones.count(None) < 0.05 * len(phones)


def test_emails_vary_in_case_and_whitespace_and_a_few_are_missing(month: Scenario) -> None:
    emails = [c.email for c in month.final_customers()]
    written = [e for e in emails if e]

    assert any(e != e.strip() for e in written)
    assert any(e.strip() != e.strip().lower() for e in written)
    assert 0 < emails.count(None) < 0.06 * len(emails)


def test_relatives_share_one_address_written_in_different_letter_case(month: Scenario) -> None:
    by_key: dict[str, list[str]] = defaultdict(list)
    for customer in month.final_customers():
        if customer.email:
            by_key[customer.email.strip().casefold()].append(customer.email.strip())

    shared = [spellings for spellings in by_key.values() if len(spellings) > 1]
    assert len(shared) >= 2
    assert all(len(set(spellings)) == len(spellings) for spellings in shared)


def test_profile_updates_change_a_tenth_of_earlier_customers_some_invisibly_to_vendors(
    month: Scenario,
) -> None:
    first, second = month.phases
    before = {c.id: c for c in first.customers}
    synced = ("given_name", "family_name", "email_key", "phone", "country")
    visible, invisible = 0, 0
    for update in second.profile_updates:
        original = before[update.id]
        assert update != original
        old, new = customer_fields(original, "AE"), customer_fields(update, "AE")
        if any(old[name] != new[name] for name in synced):
            visible += 1
        else:
            invisible += 1

    assert len(second.profile_updates) == round(0.1 * len(first.customers))
    assert visible > 0 and invisible > 0


def test_form_contacts_reuse_customer_addresses_in_another_letter_case(month: Scenario) -> None:
    displays = {c.email.strip(): c for c in month.final_customers() if c.email}
    keys = {email.casefold() for email in displays}

    assert len(month.form_contacts) == round(0.05 * len(month.final_customers()))
    for contact in month.form_contacts:
        assert contact.email.strip().casefold() in keys
        assert contact.email.strip() not in displays


def test_bookings_and_their_events_keep_to_the_business_rules(month: Scenario) -> None:
    bookings = month.final_bookings()
    start, end = datetime(2026, 10, 31, 20, tzinfo=UTC), datetime(2026, 11, 30, 20, tzinfo=UTC)
    for booking in bookings:
        days = (booking.return_due_at - booking.pickup_at) / timedelta(days=1)
        assert days in range(1, 31)
        assert 100_00 <= booking.rental_amount_minor / days <= 900_00
        assert booking.currency == "AED"
        assert start <= booking.pickup_at < end
        if booking.returned_at is not None:
            assert booking.pickup_at < booking.returned_at <= end

    statuses = [b.status for b in bookings]
    assert 0 < statuses.count("canceled") < 0.05 * len(bookings)
    assert 0.1 * len(bookings) < len(month.extensions) < 0.2 * len(bookings)
    kinds = {c.kind for c in month.charges}
    assert {"late_return", "toll", "fuel", "delivery"} <= kinds <= set(CHARGE_KINDS)
    due = {b.id: b.return_due_at for b in bookings} | {
        e.booking_id: e.extended_to for e in month.extensions
    }
    late = {b.id for b in bookings if b.returned_at and b.returned_at > due[b.id]}
    assert late == {c.booking_id for c in month.charges if c.kind == "late_return"}
    assert 0.05 * len(bookings) < len(late) < 0.15 * len(bookings)


def outbox(db: Database, system: str = "netsuite") -> dict[str, int]:
    with db.read() as session:
        rows = session.scalars(select(OutboxRow).where(OutboxRow.system == system))
        return {row.record_id: row.change_seq for row in rows}


@dataclass(frozen=True)
class Written:
    """The small scenario written phase by phase, with what the outbox held after each."""

    db: Database
    reports: tuple[PhaseReport, PhaseReport]
    queued: tuple[dict[str, int], dict[str, int]]


@pytest.fixture(scope="module")
def written(
    small: Scenario, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Written]:
    # Written once for the module: writing a month is the slowest step these tests share.
    path = tmp_path_factory.mktemp("written") / "ez.db"
    shutil.copy(sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    one = apply_phase(db, small, 1, now=NOW)
    after_one = outbox(db)
    two = apply_phase(db, small, 2, now=NOW + timedelta(days=1))
    yield Written(db, (one, two), (after_one, outbox(db)))
    db.dispose()


def test_phases_write_through_the_canonical_functions_and_queue_customer_syncs(
    small: Scenario, written: Written
) -> None:
    first, second = small.phases
    assert all((second.profile_updates, second.cancellations, second.extensions, second.charges))
    one, two = written.reports
    after_one, after_two = written.queued

    assert one.count("customers", Change.CREATED) == len(first.customers)
    assert one.count("bookings", Change.CREATED) == len(first.bookings)
    assert sorted(after_one) == sorted(c.id for c in first.customers)

    assert two.count("customers", Change.CREATED) == len(second.customers)
    assert two.count("profile_updates", Change.UPDATED) == len(second.profile_updates)
    assert two.count("cancellations", Change.UPDATED) == len(second.cancellations)
    assert two.count("returns", Change.UPDATED) == len(second.returns)
    assert two.count("charges", Change.CREATED) == len(second.charges)
    assert len(after_two) == SMALL
    # Not yet synced, so each update folds into the customer's open row.
    updated = sorted(u.id for u in second.profile_updates)
    assert sorted(i for i, seq in after_two.items() if seq == 2) == updated


def test_writing_the_last_phase_again_changes_nothing(small: Scenario, written: Written) -> None:
    again = apply_phase(written.db, small, 2, now=NOW + timedelta(days=2))

    for kind, counts in again.counts.items():
        assert set(counts) == {Change.UNCHANGED}, kind
    assert outbox(written.db) == written.queued[1]


def canonical_rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    with db.read() as session:
        return {
            "customers": [
                (
                    c.id,
                    c.given_name,
                    c.family_name,
                    c.email,
                    c.email_key,
                    c.phone,
                    c.phone_raw,
                    c.country,
                )
                for c in session.scalars(select(Customer).order_by(Customer.id))
            ],
            "vehicles": [
                (v.id, v.plate, v.make, v.model, v.year)
                for v in session.scalars(select(Vehicle).order_by(Vehicle.id))
            ],
            "bookings": [
                (
                    b.id,
                    b.customer_id,
                    b.vehicle_id,
                    b.status,
                    b.pickup_at,
                    b.return_due_at,
                    b.returned_at,
                    b.rental_amount_minor,
                    b.currency,
                )
                for b in session.scalars(select(Booking).order_by(Booking.id))
            ],
            "extensions": [
                (e.booking_id, e.extended_to, e.amount_minor, e.currency)
                for e in session.scalars(
                    select(BookingExtension).order_by(BookingExtension.booking_id)
                )
            ],
            "charges": [
                (
                    c.id,
                    c.booking_id,
                    c.kind,
                    c.description,
                    c.amount_minor,
                    c.currency,
                    c.incurred_at,
                )
                for c in session.scalars(select(Charge).order_by(Charge.id))
            ],
        }


def test_exported_files_import_into_the_same_canonical_rows(
    sqlite_db: Database, small: Scenario, written: Written, tmp_path: Path
) -> None:
    paths = export_csv(small, tmp_path / "csv")
    report = import_files(sqlite_db, paths, now=NOW, default_region="AE")

    assert report.rejections == ()
    applied, imported = canonical_rows(written.db), canonical_rows(sqlite_db)
    for kind in applied:
        assert applied[kind], f"the scenario wrote no {kind}"
        assert imported[kind] == applied[kind], kind


@pytest.fixture
def cli_db(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """The migrated store the command line opens, with the logging it sets up undone after."""
    monkeypatch.setenv("EZ_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("EZ_DATABASE_URL", sqlite_db.engine.url.render_as_string(False))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield sqlite_db
    root.handlers[:] = handlers
    root.setLevel(level)


def test_seed_command_writes_the_phase_asked_for_and_exports_the_files(
    cli_db: Database, tmp_path: Path
) -> None:
    args = ["sandbox", "seed", "--seed", "3", "--month", "2026-11", "--customers", "40"]

    result = CliRunner().invoke(main, [*args, "--phase", "1", "--export-csv", str(tmp_path)])

    assert result.exit_code == 0, result.output
    expected = generate_month(3, MONTH, customers=40).phase(1)
    assert f"customers: {len(expected.customers)} created, 0 updated, 0 unchanged" in (
        result.output
    )
    assert sorted(outbox(cli_db)) == sorted(c.id for c in expected.customers)
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "bookings.csv",
        "charges.csv",
        "customers.csv",
        "extensions.csv",
        "vehicles.csv",
    ]


def test_seed_command_refuses_phase_2_before_phase_1_and_writes_nothing(
    cli_db: Database,
) -> None:
    args = ["sandbox", "seed", "--month", "2026-11", "--customers", "40", "--phase", "2"]

    result = CliRunner().invoke(main, args)

    assert result.exit_code == 1
    assert "phase 2 builds on phase 1" in result.output
    assert outbox(cli_db) == {}


def test_seed_command_refuses_a_month_not_written_yyyy_mm(cli_db: Database) -> None:
    result = CliRunner().invoke(main, ["sandbox", "seed", "--month", "November"])

    assert result.exit_code == 2
    assert "YYYY-MM" in result.output
