"""A day's revenue journals: debit deferred revenue, credit rental revenue, a pair per booking.

Bookings go in id order into journals of at most `max_lines` lines, so the same day with the
same amounts always gives the same journals under the same external ids. A journal balances
exactly: its last line is computed as the difference of the lines before it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ez_pipelines.finance.recognition import DayRow

DEFERRED = "deferred_revenue"
REVENUE = "rental_revenue"


@dataclass(frozen=True)
class JournalLine:
    booking_id: str
    account: str
    """`deferred_revenue` or `rental_revenue`; the NetSuite contract maps them to accounts."""
    debit_minor: int
    credit_minor: int


@dataclass(frozen=True)
class Journal:
    id: str
    day: date
    currency: str
    lines: tuple[JournalLine, ...]

    @property
    def debit_minor(self) -> int:
        return sum(line.debit_minor for line in self.lines)

    @property
    def credit_minor(self) -> int:
        return sum(line.credit_minor for line in self.lines)

    @property
    def balanced(self) -> bool:
        return self.debit_minor == self.credit_minor

    def lines_json(self) -> str:
        return json.dumps(
            [
                [line.booking_id, line.account, line.debit_minor, line.credit_minor]
                for line in self.lines
            ],
            separators=(",", ":"),
        )


def lines_from_json(text: str) -> tuple[JournalLine, ...]:
    return tuple(JournalLine(str(b), str(a), int(d), int(c)) for b, a, d, c in json.loads(text))


def journal_id(currency: str, day: date, sequence: int) -> str:
    """`REVREC-AED-20261105-01`: the NetSuite external id of a day's n-th journal."""
    return f"REVREC-{currency}-{day:%Y%m%d}-{sequence:02d}"


def _pair(booking_id: str, amount: int) -> list[JournalLine]:
    # A negative day (a refund larger than what was still deferred) reverses the pair.
    if amount >= 0:
        return [
            JournalLine(booking_id, DEFERRED, amount, 0),
            JournalLine(booking_id, REVENUE, 0, amount),
        ]
    return [
        JournalLine(booking_id, REVENUE, -amount, 0),
        JournalLine(booking_id, DEFERRED, 0, -amount),
    ]


def _balanced(lines: list[JournalLine]) -> tuple[JournalLine, ...]:
    """The lines with the last one's amount set to the difference of all the others."""
    *head, last = lines
    debit = sum(line.debit_minor for line in head)
    credit = sum(line.credit_minor for line in head)
    if last.credit_minor or not last.debit_minor:
        last = JournalLine(last.booking_id, last.account, 0, debit - credit)
    else:
        last = JournalLine(last.booking_id, last.account, credit - debit, 0)
    return (*head, last)


def build_journals(day: date, rows: Sequence[DayRow], *, max_lines: int = 500) -> list[Journal]:
    """The day's journals, one per currency and per `max_lines` lines; none on an empty day."""
    if max_lines < 2:
        raise ValueError("a journal needs room for at least one pair of lines")
    per_journal = max_lines // 2
    journals: list[Journal] = []
    for currency in sorted({row.currency for row in rows}):
        posting = sorted(
            (row for row in rows if row.currency == currency and row.recognised_minor),
            key=lambda row: row.booking_id,
        )
        for sequence, start in enumerate(range(0, len(posting), per_journal), start=1):
            lines = [
                line
                for row in posting[start : start + per_journal]
                for line in _pair(row.booking_id, row.recognised_minor)
            ]
            journals.append(
                Journal(journal_id(currency, day, sequence), day, currency, _balanced(lines))
            )
    return journals
