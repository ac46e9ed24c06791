"""A scenario written as import files: the formats, shown with realistic data."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from ez_pipelines.canonical.importer_rows import FORMAT_BY_KIND
from ez_pipelines.canonical.money import to_major
from ez_pipelines.sandbox.scenario_model import Scenario
from ez_pipelines.sandbox.scenario_rentals import CURRENCY, DUBAI


def export_csv(scenario: Scenario, folder: str | Path) -> list[Path]:
    """Write the scenario's state after both phases as one file per kind; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    customers = [
        (c.id, c.given_name, c.family_name, c.email or "", c.phone or "", c.country or "")
        for c in scenario.final_customers()
    ]
    vehicles = [
        (v.id, v.plate, v.make, v.model, "" if v.year is None else str(v.year))
        for v in scenario.vehicles
    ]
    bookings = [
        (
            b.id,
            b.customer_id,
            b.vehicle_id or "",
            _local(b.pickup_at),
            _local(b.return_due_at),
            _local(b.returned_at),
            _amount(b.rental_amount_minor, b.currency),
            b.currency,
            b.status,
        )
        for b in scenario.final_bookings()
    ]
    extensions = [
        (e.booking_id, _local(e.extended_to), _amount(e.amount_minor, CURRENCY))
        for e in scenario.extensions
    ]
    charges = [
        (
            c.id,
            c.booking_id,
            c.kind,
            c.description,
            _amount(c.amount_minor, CURRENCY),
            _local(c.incurred_at),
        )
        for c in scenario.charges
    ]
    tables: dict[str, Sequence[Sequence[str]]] = {
        "customers": customers,
        "vehicles": vehicles,
        "bookings": bookings,
        "extensions": extensions,
        "charges": charges,
    }
    return [_write(folder, kind, rows) for kind, rows in tables.items()]


def _write(folder: Path, kind: str, rows: Iterable[Sequence[str]]) -> Path:
    path = folder / f"{kind}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FORMAT_BY_KIND[kind].columns)
        writer.writerows(rows)
    return path


def _local(instant: datetime | None) -> str:
    """Dubai time with its offset: what the desk reads, and unambiguous to import."""
    return instant.astimezone(DUBAI).isoformat() if instant else ""


def _amount(minor: int, currency: str) -> str:
    return str(to_major(minor, currency))
