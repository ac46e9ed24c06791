"""CSV import: bad rows are reported and kept out, good rows are kept, re-imports are no-ops."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ez_pipelines.canonical.changes import Change
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.importer import ImportRefused, import_files
from ez_pipelines.canonical.models import (
    Booking,
    BookingExtension,
    Charge,
    Customer,
    ImportRejection,
    Vehicle,
)
from ez_pipelines.cli import imports  # noqa: F401 - registers the command
from ez_pipelines.cli.root import main
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.tables import OutboxRow

FIXTURES = Path(__file__).parents[1] / "fixtures" / "import"
IN_ORDER = ("customers", "vehicles", "bookings", "extensions", "charges")


def fixture_paths() -> list[Path]:
    return [FIXTURES / f"{kind}.csv" for kind in IN_ORDER]


def write_csv(folder: Path, name: str, *lines: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def ids(db: Database, model: type[Customer] | type[Booking] | type[Vehicle]) -> list[str]:
    with db.read() as session:
        return sorted(session.scalars(select(model.id)))


def outbox_state(db: Database) -> list[tuple[str, str, int]]:
    with db.read() as session:
        rows = session.scalars(select(OutboxRow).order_by(OutboxRow.id))
        return [(r.system, r.record_id, r.change_seq) for r in rows]


def test_malformed_phone_and_negative_amount_are_rejected_by_line_and_the_rest_is_kept(
    db: Database, clock: ManualClock
) -> None:
    report = import_files(db, fixture_paths(), now=clock.now(), default_region="AE")

    rejected = [(r.file_name, r.line, r.record_id) for r in report.rejections]
    assert rejected == [("customers.csv", 7, "C-000006"), ("bookings.csv", 4, "B-000003")]
    phone, amount = (r.reason for r in report.rejections)
    assert "phone" in phone and "not a valid number" in phone
    assert amount == "amount -300.00 is negative"

    assert ids(db, Customer) == [f"C-00000{n}" for n in (1, 2, 3, 4, 5, 7, 8)]
    assert ids(db, Booking) == ["B-000001", "B-000002", "B-000004", "B-000005"]
    assert ids(db, Vehicle) == ["V-0001", "V-0002", "V-0003"]
    with db.read() as session:
        stored = session.scalars(select(ImportRejection).order_by(ImportRejection.id)).all()
        assert [(r.file_name, r.row_number, r.record_id) for r in stored] == rejected
        assert session.scalar(select(func.count()).select_from(BookingExtension)) == 1
        assert session.scalar(select(func.count()).select_from(Charge)) == 2


def test_reimporting_the_same_files_changes_nothing_and_queues_no_syncs(
    db: Database, clock: ManualClock
) -> None:
    import_files(db, fixture_paths(), now=clock.now(), default_region="AE")
    queued = outbox_state(db)
    clock.advance(3600)

    again = import_files(db, fixture_paths(), now=clock.now(), default_region="AE")

    for file_report in again.files:
        assert file_report.counts[Change.CREATED] == file_report.counts[Change.UPDATED] == 0
    assert sum(f.counts[Change.UNCHANGED] for f in again.files) == 7 + 3 + 4 + 1 + 2
    assert outbox_state(db) == queued
    assert len(queued) == 2 * 7  # each imported customer, once for each system it syncs to


def test_instants_without_offset_are_dubai_time_and_offsets_are_kept(
    sqlite_db: Database, clock: ManualClock
) -> None:
    import_files(sqlite_db, fixture_paths(), now=clock.now(), default_region="AE")

    with sqlite_db.read() as session:
        naive = session.get(Booking, "B-000001")
        with_offset = session.get(Booking, "B-000002")
        assert naive is not None and with_offset is not None
        assert naive.pickup_at == datetime(2026, 11, 5, 4, 0, tzinfo=UTC)
        assert naive.returned_at == datetime(2026, 11, 8, 3, 30, tzinfo=UTC)
        assert with_offset.pickup_at == datetime(2026, 11, 6, 6, 0, tzinfo=UTC)
        assert [e.extended_to for e in with_offset.extensions] == [
            datetime(2026, 11, 12, 6, 0, tzinfo=UTC)
        ]


def test_naive_instants_follow_the_timezone_asked_for(
    sqlite_db: Database, clock: ManualClock
) -> None:
    import_files(sqlite_db, fixture_paths(), now=clock.now(), default_region="AE", timezone="UTC")

    with sqlite_db.read() as session:
        booking = session.get(Booking, "B-000001")
        assert booking is not None
        assert booking.pickup_at == datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


def test_amounts_are_converted_exactly_and_extra_decimals_are_rejected(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    charges = write_csv(
        tmp_path,
        "more-charges.csv",
        "charge_id,booking_id,kind,description,amount,incurred_at",
        "CH-1,B-000001,fuel,Refuelling,1.005,2026-11-08 07:30",
        "CH-2,B-000001,fuel,Refuelling,1500.00,2026-11-08 07:30",
    )
    report = import_files(
        sqlite_db, [*fixture_paths(), charges], now=clock.now(), default_region="AE"
    )

    (extra_decimals,) = [r for r in report.rejections if r.file_name == "more-charges.csv"]
    assert (extra_decimals.line, extra_decimals.record_id) == (2, "CH-1")
    assert extra_decimals.reason == "amount 1.005 has more decimals than AED allows"
    with sqlite_db.read() as session:
        ten_fils = session.get(Booking, "B-000004")
        charge = session.get(Charge, "CH-2")
        assert ten_fils is not None and ten_fils.rental_amount_minor == 10
        assert charge is not None and charge.amount_minor == 150000


BOOKINGS_HEADER = (
    "booking_id,customer_id,vehicle_id,pickup_at,return_due_at,returned_at,rental_amount,"
    "currency,status"
)
BAD_ROWS = [
    # A customer the store has never seen.
    ("bookings.csv", "B-9,C-999999,,2026-11-05 08:00,2026-11-06 08:00,,1.00,AED,reserved",
     "customer C-999999 does not exist"),
    # Returned before it was picked up.
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,2026-11-04 08:00,1.00,AED,"
     "returned", "returned before pickup"),
    # A currency the business does not take.
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,1.00,XYZ,reserved",
     "currency 'XYZ' is not one we take"),
    # An amount past what a 64-bit count of fils holds.
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,99999999999999999.00,AED,"
     "reserved", "too large to store"),
    # Amounts written any way but plain decimals: an exponent so large Decimal overflows, an
    # exponent that reads as a price, digit separators, digits of another script.
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,1e999999,AED,reserved",
     "is not a plain decimal number"),
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,1e5,AED,reserved",
     "is not a plain decimal number"),
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,1_000.00,AED,reserved",
     "is not a plain decimal number"),
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00,2026-11-06 08:00,,١٠٠,AED,reserved",
     "is not a plain decimal number"),
    # A date with no time of day.
    ("bookings.csv", "B-9,C-000001,,2026-11-05,2026-11-06 08:00,,1.00,AED,reserved",
     "pickup_at '2026-11-05' has a date but no time of day"),
    # An instant that would fall before year 1 in UTC.
    ("bookings.csv", "B-9,C-000001,,0001-01-01 01:00,2026-11-06 08:00,,1.00,AED,reserved",
     "outside the years we can store"),
    # A NUL byte, which no text column can store.
    ("customers.csv", "C-9,Om\x00ar,Saleh,,,AE", "NUL"),
    # A row cut short.
    ("bookings.csv", "B-9,C-000001,,2026-11-05 08:00", "has 4 fields, the header has 9"),
    # A charge of a kind we do not bill.
    ("charges.csv", "CH-9,B-000001,parking,Mall parking,10.00,2026-11-08 07:30",
     "kind 'parking' is not one of ours"),
    # An email address that cannot receive mail.
    ("customers.csv", "C-9,Omar,Saleh,omar.saleh@@example.com,,AE", "email"),
    # An extension that does not move the return later.
    ("extensions.csv", "B-000002,2026-11-09 10:00,100.00", "does not move the return later"),
]  # fmt: skip
HEADERS = {
    "bookings.csv": BOOKINGS_HEADER,
    "charges.csv": "charge_id,booking_id,kind,description,amount,incurred_at",
    "customers.csv": "customer_id,given_name,family_name,email,phone,country",
    "extensions.csv": "booking_id,extended_to,amount",
}
GOOD_ROWS = {
    "bookings.csv": "B-8,C-000001,,2026-11-20 08:00,2026-11-21 08:00,,100.00,AED,reserved",
    "charges.csv": "CH-8,B-000001,fuel,Refuelling,80.00,2026-11-08 07:30",
    "customers.csv": "C-8,Omar,Saleh,omar.saleh@example.com,,AE",
    "extensions.csv": "B-000005,2026-11-16 12:00,500.00",
}


@pytest.mark.parametrize(("name", "bad_row", "reason"), BAD_ROWS)
def test_each_bad_row_is_rejected_with_its_reason_and_its_neighbours_are_kept(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path, name: str, bad_row: str, reason: str
) -> None:
    import_files(sqlite_db, fixture_paths(), now=clock.now(), default_region="AE")
    folder = tmp_path / "second"
    folder.mkdir()
    path = write_csv(folder, name, HEADERS[name], bad_row, GOOD_ROWS[name])

    report = import_files(sqlite_db, [path], now=clock.now(), default_region="AE")

    (rejection,) = report.rejections
    assert rejection.line == 2
    assert reason in rejection.reason
    (file_report,) = report.files
    assert file_report.counts[Change.CREATED] == 1


def test_a_plate_already_on_another_vehicle_is_rejected_alone(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "fleet.csv",
        "vehicle_id,plate,make,model,year",
        "V-1,DXB A 1,Toyota,Camry,2024",
        "V-2,dxb a 1,Nissan,Sunny,2024",
        "V-3,DXB B 2,Kia,Pegas,2025",
    )

    report = import_files(db, [path], now=clock.now(), default_region="AE")

    assert [(r.line, r.reason) for r in report.rejections] == [
        (3, "plate DXB A 1 already belongs to vehicle V-1")
    ]
    assert ids(db, Vehicle) == ["V-1", "V-3"]


def test_an_unknown_header_is_refused_naming_the_expected_headers_and_nothing_is_written(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    wrong = write_csv(tmp_path, "people.csv", "id,name,mobile", "C-1,Omar,0501234567")

    with pytest.raises(ImportRefused) as refused:
        import_files(
            sqlite_db, [FIXTURES / "customers.csv", wrong], now=clock.now(), default_region="AE"
        )

    message = str(refused.value)
    assert "people.csv" in message and "id,name,mobile" in message
    assert "customer_id,given_name,family_name,email,phone,country" in message
    assert "booking_id,extended_to,amount" in message
    assert ids(sqlite_db, Customer) == []


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_written(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    latin1 = write_csv(
        tmp_path,
        "legacy.csv",
        "vehicle_id,plate,make,model,year",
        "V-1,DXB A 1,Citroën,C3,",
        encoding="latin-1",
    )

    with pytest.raises(ImportRefused, match=r"legacy\.csv is not UTF-8 text"):
        import_files(
            sqlite_db, [FIXTURES / "customers.csv", latin1], now=clock.now(), default_region="AE"
        )

    assert ids(sqlite_db, Customer) == []


def test_files_are_imported_in_dependency_order_whatever_order_they_are_given_in(
    sqlite_db: Database, clock: ManualClock
) -> None:
    report = import_files(
        sqlite_db, list(reversed(fixture_paths())), now=clock.now(), default_region="AE"
    )

    assert [f.kind for f in report.files] == list(IN_ORDER)
    assert len(report.rejections) == 2  # only the two bad rows of the fixtures


def test_a_utf8_byte_order_mark_and_reordered_columns_are_accepted(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path,
        "from-excel.csv",
        "phone,customer_id,given_name,family_name,email,country",
        "050 123 4567,C-1,محمد,الهاشمي,m@example.com,",
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = import_files(sqlite_db, [path], now=clock.now(), default_region="AE")

    assert report.rejections == ()
    with sqlite_db.read() as session:
        customer = session.get(Customer, "C-1")
        assert customer is not None
        assert (customer.given_name, customer.phone, customer.country) == (
            "محمد",
            "+971501234567",
            "AE",
        )


def test_importing_a_customer_keeps_the_loyalty_tier_the_file_does_not_carry(
    sqlite_db: Database, clock: ManualClock
) -> None:
    with sqlite_db.write() as session:
        upsert_customer(
            session,
            CustomerInput("C-000001", "Mohammed", "Al Mansouri", loyalty_tier="gold"),
            now=clock.now(),
        )

    import_files(sqlite_db, [FIXTURES / "customers.csv"], now=clock.now(), default_region="AE")

    with sqlite_db.read() as session:
        customer = session.get(Customer, "C-000001")
        assert customer is not None
        assert (customer.family_name, customer.loyalty_tier) == ("Al-Mansouri", "gold")


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


def test_import_command_prints_each_rejection_and_exits_1_after_keeping_the_good_rows(
    cli_db: Database,
) -> None:
    result = CliRunner().invoke(main, ["import", *map(str, reversed(fixture_paths()))])

    assert result.exit_code == 1, result.output
    assert "customers.csv (customers): 7 created, 0 updated, 0 unchanged, 1 rejected" in (
        result.output
    )
    assert "customers.csv line 7 (C-000006): phone" in result.output
    assert "bookings.csv line 4 (B-000003): amount -300.00 is negative" in result.output
    assert ids(cli_db, Customer) == [f"C-00000{n}" for n in (1, 2, 3, 4, 5, 7, 8)]


def test_import_command_exits_0_when_every_row_is_accepted(
    cli_db: Database, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path, "fleet.csv", "vehicle_id,plate,make,model,year", "V-1,DXB A 1,Toyota,Camry,"
    )

    result = CliRunner().invoke(main, ["import", str(path)])

    assert result.exit_code == 0, result.output
    assert "fleet.csv (vehicles): 1 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert ids(cli_db, Vehicle) == ["V-1"]


def test_import_command_refuses_an_unknown_header_with_the_expected_ones(
    cli_db: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path, "people.csv", "id,name", "C-1,Omar")

    result = CliRunner().invoke(main, ["import", str(path)])

    assert result.exit_code == 1
    assert "vehicle_id,plate,make,model,year" in result.output
    assert ids(cli_db, Customer) == []
