"""The parallel run: finance's manual revenue journals against ours, per day, booking, account.

The manual journals are a CSV with the header `date,booking,account,debit,credit`: `date` a
Dubai day (`2026-11-05`), `booking` our booking id, `account` the account's id as in the
settings (deferred revenue `2410`, rental revenue `4010` by default), `debit` and `credit`
amounts in major units (`100.00`; empty means zero). Several lines for one day, booking and
account add up. Every difference is listed with its size; none is rounded away.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.money import InvalidAmount, to_major, to_minor
from ez_pipelines.finance.tables import RevenueDay, RevenuePartition

HEADER = ("date", "booking", "account", "debit", "credit")
Key = tuple[date, str, str]


class ManualJournalsInvalid(ValueError):
    """The CSV is not in the documented format; the message names the line."""


@dataclass(frozen=True)
class ManualLine:
    day: date
    booking_id: str
    account: str
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True)
class Difference:
    day: date
    booking_id: str
    account: str
    ours_minor: int
    """Our net debit (debit minus credit) on that account."""
    theirs_minor: int

    @property
    def size_minor(self) -> int:
        return abs(self.ours_minor - self.theirs_minor)

    def as_row(self, currency: str = "AED") -> dict[str, str]:
        return {
            "date": self.day.isoformat(),
            "booking": self.booking_id,
            "account": self.account,
            "ours": f"{to_major(self.ours_minor, currency)}",
            "theirs": f"{to_major(self.theirs_minor, currency)}",
            "difference": f"{to_major(self.ours_minor - self.theirs_minor, currency)}",
        }


@dataclass(frozen=True)
class ParallelRun:
    days: tuple[date, ...]
    compared: int
    differences: tuple[Difference, ...]
    tolerance_minor: int

    @property
    def beyond_tolerance(self) -> list[Difference]:
        return [d for d in self.differences if d.size_minor > self.tolerance_minor]


def read_manual_journals(path: Path, *, currency: str = "AED") -> list[ManualLine]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = tuple((name or "").strip().lower() for name in reader.fieldnames or ())
        if sorted(fields) != sorted(HEADER):
            raise ManualJournalsInvalid(f"{path.name}: header must be {','.join(HEADER)}")
        lines = []
        for number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            try:
                lines.append(
                    ManualLine(
                        day=date.fromisoformat(row["date"]),
                        booking_id=row["booking"],
                        account=row["account"],
                        debit_minor=to_minor(row["debit"] or "0", currency),
                        credit_minor=to_minor(row["credit"] or "0", currency),
                    )
                )
            except (ValueError, InvalidAmount) as err:
                raise ManualJournalsInvalid(f"{path.name} line {number}: {err}") from None
    return lines


def write_manual_journals(
    path: Path, lines: Iterable[ManualLine], *, currency: str = "AED"
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for line in lines:
            writer.writerow(
                [
                    line.day.isoformat(),
                    line.booking_id,
                    line.account,
                    _amount(line.debit_minor, currency),
                    _amount(line.credit_minor, currency),
                ]
            )


def _amount(minor: int, currency: str) -> str:
    return "" if minor == 0 else str(to_major(minor, currency))


def our_lines(
    db: Database, *, deferred_account: str, revenue_account: str, days: Iterable[date] | None = None
) -> dict[Key, int]:
    """Our net debit per (day, booking, account) from the posted ledger."""
    query = select(RevenueDay.day, RevenueDay.booking_id, RevenueDay.recognised_minor).where(
        RevenueDay.recognised_minor != 0
    )
    if days is not None:
        query = query.where(RevenueDay.day.in_(list(days)))
    ours: dict[Key, int] = {}
    with db.read() as session:
        for day, booking_id, amount in session.execute(query):
            ours[(day, booking_id, deferred_account)] = amount
            ours[(day, booking_id, revenue_account)] = -amount
    return ours


def compare(
    db: Database,
    manual: list[ManualLine],
    *,
    deferred_account: str,
    revenue_account: str,
    tolerance_minor: int,
) -> ParallelRun:
    """Compare every day either side covers: a day we posted that the CSV lacks, or one the CSV
    has that we never posted, differs by all of its lines."""
    with db.read() as session:
        posted = set(session.scalars(select(RevenuePartition.day)))
    days = tuple(sorted(posted | {line.day for line in manual}))
    theirs: dict[Key, int] = defaultdict(int)
    for line in manual:
        key = (line.day, line.booking_id, line.account)
        theirs[key] += line.debit_minor - line.credit_minor
    ours = our_lines(
        db, deferred_account=deferred_account, revenue_account=revenue_account, days=days
    )
    keys = sorted(set(ours) | set(theirs))
    differences = tuple(
        Difference(day, booking, account, ours.get(key, 0), theirs.get(key, 0))
        for key in keys
        for day, booking, account in [key]
        if ours.get(key, 0) != theirs.get(key, 0)
    )
    return ParallelRun(days, len(keys), differences, tolerance_minor)
