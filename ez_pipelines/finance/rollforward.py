"""The deferred revenue roll-forward of a posted day, and the checks finance relies on.

Per booking and in total: opening + invoiced - recognised - refunded = closing, to the fils.
A booking's opening is its closing on the day before, and its closing the next day's opening,
each judged once that neighbouring day is posted: days are posted in any order, and the later
of two neighbours checks the link between them. A booking whose rental has ended holds nothing;
and what the ledger says was invoiced matches the invoices themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Booking, InvoiceLine
from ez_pipelines.finance.tables import CreditNote, RevenueDay, RevenuePartition

_SAMPLE = 20


@dataclass
class RollForward:
    day: date
    bookings: int = 0
    opening_minor: int = 0
    invoiced_minor: int = 0
    recognised_minor: int = 0
    refunded_minor: int = 0
    closing_minor: int = 0
    identity_breaks: list[str] = field(default_factory=list)
    ended_not_zero: list[str] = field(default_factory=list)
    invoice_mismatches: list[str] = field(default_factory=list)
    previous_day_checked: bool = False
    next_day_checked: bool = False

    @property
    def identity_holds(self) -> bool:
        total = self.opening_minor + self.invoiced_minor - self.recognised_minor
        return not self.identity_breaks and total - self.refunded_minor == self.closing_minor

    @property
    def ended_at_zero(self) -> bool:
        return not self.ended_not_zero

    def as_metadata(self) -> dict[str, object]:
        return {
            "bookings": self.bookings,
            "opening_minor": self.opening_minor,
            "invoiced_minor": self.invoiced_minor,
            "recognised_minor": self.recognised_minor,
            "refunded_minor": self.refunded_minor,
            "closing_minor": self.closing_minor,
            "identity_breaks": self.identity_breaks[:_SAMPLE],
            "ended_not_zero": self.ended_not_zero[:_SAMPLE],
            "invoice_mismatches": self.invoice_mismatches[:_SAMPLE],
            "previous_day_checked": self.previous_day_checked,
            "next_day_checked": self.next_day_checked,
        }


def roll_forward(db: Database, day: date) -> RollForward:
    """The roll-forward of `day` as posted, with every booking that breaks a rule named."""
    report = RollForward(day)
    with db.read() as session:
        rows = list(session.scalars(select(RevenueDay).where(RevenueDay.day == day)))
        ids = [row.booking_id for row in rows]
        before, after = day - timedelta(days=1), day + timedelta(days=1)
        report.previous_day_checked = session.get(RevenuePartition, before) is not None
        report.next_day_checked = session.get(RevenuePartition, after) is not None
        previous = _previous_closings(session, ids, day)
        following = _openings_on(session, after) if report.next_day_checked else {}
        ledger_invoiced = dict(
            session.execute(
                select(RevenueDay.booking_id, func.sum(RevenueDay.invoiced_minor))
                .where(RevenueDay.booking_id.in_(ids), RevenueDay.day <= day)
                .group_by(RevenueDay.booking_id)
            ).all()
        )
        invoiced = _invoiced_per_booking(session, ids)

    for row in rows:
        report.bookings += 1
        report.opening_minor += row.opening_minor
        report.invoiced_minor += row.invoiced_minor
        report.recognised_minor += row.recognised_minor
        report.refunded_minor += row.refunded_minor
        report.closing_minor += row.closing_minor
        moved = row.invoiced_minor - row.recognised_minor - row.refunded_minor
        if row.opening_minor + moved != row.closing_minor:
            report.identity_breaks.append(f"{row.booking_id}: movements do not reach closing")
        elif report.previous_day_checked and row.opening_minor != previous.get(row.booking_id, 0):
            report.identity_breaks.append(
                f"{row.booking_id}: opening {row.opening_minor} but last closing "
                f"{previous.get(row.booking_id, 0)}"
            )
        if report.next_day_checked and following.get(row.booking_id, 0) != row.closing_minor:
            report.identity_breaks.append(
                f"{row.booking_id}: closes at {row.closing_minor} but {after} opens at "
                f"{following.get(row.booking_id, 0)}"
            )
        if row.ended and row.closing_minor != 0:
            report.ended_not_zero.append(f"{row.booking_id}: closes at {row.closing_minor}")
        expected = invoiced.get(row.booking_id, 0)
        if int(ledger_invoiced.get(row.booking_id) or 0) != expected:
            report.invoice_mismatches.append(
                f"{row.booking_id}: ledger invoiced {ledger_invoiced.get(row.booking_id)}, "
                f"invoices say {expected}"
            )
    return report


def _openings_on(session: Session, day: date) -> dict[str, int]:
    rows = session.execute(
        select(RevenueDay.booking_id, RevenueDay.opening_minor).where(RevenueDay.day == day)
    )
    return {booking_id: opening for booking_id, opening in rows}


def _previous_closings(session: Session, ids: list[str], day: date) -> dict[str, int]:
    latest = (
        select(RevenueDay.booking_id, func.max(RevenueDay.day).label("day"))
        .where(RevenueDay.booking_id.in_(ids), RevenueDay.day < day)
        .group_by(RevenueDay.booking_id)
        .subquery()
    )
    rows = session.execute(
        select(RevenueDay.booking_id, RevenueDay.closing_minor).join(
            latest,
            (latest.c.booking_id == RevenueDay.booking_id) & (latest.c.day == RevenueDay.day),
        )
    )
    return {booking_id: closing for booking_id, closing in rows}


def _invoiced_per_booking(session: Session, ids: list[str]) -> dict[str, int]:
    """Rental and extension lines of each booking's invoice; nothing for a canceled one."""
    totals: dict[str, int] = defaultdict(int)
    for booking_id, amount in session.execute(
        select(InvoiceLine.invoice_id, func.sum(InvoiceLine.amount_minor))
        .where(InvoiceLine.invoice_id.in_(ids), InvoiceLine.kind.in_(("rental", "extension")))
        .group_by(InvoiceLine.invoice_id)
    ):
        totals[booking_id] += int(amount)
    canceled = set(
        session.scalars(select(Booking.id).where(Booking.id.in_(ids), Booking.status == "canceled"))
    )
    for booking_id in canceled:
        totals[booking_id] = 0
    noted = session.scalars(
        select(CreditNote.booking_id).where(
            CreditNote.booking_id.in_(ids), CreditNote.kind == "cancellation"
        )
    )
    for booking_id in noted:
        totals[booking_id] = 0
    return dict(totals)
