"""Posting one Dubai day: every booking's movements, the day's journals, and their audit.

Computing a day again rewrites that day's rows and journals only, and never a booking's row that
a later posted day already builds on: that row is kept as posted, so re-running an old day after
a booking changed restates nothing and the days after it still follow from it. A journal whose
lines came out the same is left alone (no NetSuite call); one that changed is updated under its
external id and the change is kept in the audit table; one that is no longer needed is withdrawn
and audited.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.finance.journals import Journal, build_journals
from ez_pipelines.finance.recognition import DayRow, day_row
from ez_pipelines.finance.tables import (
    RevenueDay,
    RevenueJournal,
    RevenueJournalChange,
    RevenuePartition,
)
from ez_pipelines.finance.terms import posted_rows, row_of, terms_started_by
from ez_pipelines.outbox.routes import enqueue_change

log = logging.getLogger(__name__)


@dataclass
class DayResult:
    day: date
    rows: list[DayRow]
    journals: list[Journal]
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.journals

    @property
    def recognised_minor(self) -> int:
        return sum(row.recognised_minor for row in self.rows)

    @property
    def unbalanced(self) -> list[str]:
        return [j.id for j in self.journals if not j.balanced]


def compute_day(db: Database, day: date) -> list[DayRow]:
    """Every booking's row for `day`, from the bookings as they stand and the days posted; a
    row a later posted day builds on is the one posted."""
    with db.read() as session:
        all_terms = terms_started_by(session, day)
        posted = posted_rows(session, [t.booking_id for t in all_terms], before=day)
        computed = set(
            session.scalars(select(RevenuePartition.day).where(RevenuePartition.day < day))
        )
        built_on = _rows_built_on(session, day)
    rows = list(built_on.values())
    for terms in all_terms:
        if terms.booking_id in built_on:
            continue
        row = day_row(terms, posted.get(terms.booking_id, {}), day, computed)
        if row is not None:
            rows.append(row)
    return sorted(rows, key=lambda row: row.booking_id)


def _rows_built_on(session: Session, day: date) -> dict[str, DayRow]:
    """The rows posted for `day` of the bookings that have a row posted on a later day."""
    later = select(RevenueDay.booking_id).where(RevenueDay.day > day).distinct()
    query = select(RevenueDay).where(RevenueDay.day == day, RevenueDay.booking_id.in_(later))
    return {stored.booking_id: row_of(stored) for stored in session.scalars(query)}


def recognise_day(db: Database, day: date, *, max_lines: int, now: datetime) -> DayResult:
    """Compute and post `day`: its ledger rows, its journals (queued for NetSuite), the audit."""
    rows = compute_day(db, day)
    journals = build_journals(day, rows, max_lines=max_lines)
    result = DayResult(day, rows, journals)
    journal_of = {line.booking_id: j.id for j in journals for line in j.lines}

    with db.write() as session:
        session.execute(delete(RevenueDay).where(RevenueDay.day == day))
        session.add_all(_stored(row, journal_of.get(row.booking_id), now) for row in rows)
        _post_journals(session, result, now=now)
        partition = session.get(RevenuePartition, day) or RevenuePartition(day=day)
        partition.bookings = len(rows)
        partition.journals = len(journals)
        partition.recognised_minor = result.recognised_minor
        partition.computed_at = now
        session.merge(partition)
    log.info(
        "revenue day=%s bookings=%d journals=%d created=%d updated=%d withdrawn=%d",
        day,
        len(rows),
        len(journals),
        len(result.created),
        len(result.updated),
        len(result.withdrawn),
    )
    return result


def _stored(row: DayRow, journal_id: str | None, now: datetime) -> RevenueDay:
    return RevenueDay(
        booking_id=row.booking_id,
        day=row.day,
        currency=row.currency,
        opening_minor=row.opening_minor,
        invoiced_minor=row.invoiced_minor,
        recognised_minor=row.recognised_minor,
        refunded_minor=row.refunded_minor,
        closing_minor=row.closing_minor,
        ended=row.ended,
        journal_id=journal_id,
        posted_at=now,
    )


def _post_journals(session: Session, result: DayResult, *, now: datetime) -> None:
    existing = {
        j.id: j
        for j in session.scalars(select(RevenueJournal).where(RevenueJournal.day == result.day))
    }
    for journal in result.journals:
        stored = existing.pop(journal.id, None)
        lines = journal.lines_json()
        if stored is None:
            session.add(
                RevenueJournal(
                    id=journal.id,
                    day=journal.day,
                    currency=journal.currency,
                    status="posted",
                    line_count=len(journal.lines),
                    debit_minor=journal.debit_minor,
                    credit_minor=journal.credit_minor,
                    lines=lines,
                    created_at=now,
                    updated_at=now,
                )
            )
            result.created.append(journal.id)
        elif stored.lines == lines and stored.status == "posted":
            result.unchanged.append(journal.id)
            continue
        else:
            _audit(session, stored, "updated", journal.credit_minor, lines, now=now)
            stored.status = "posted"
            stored.line_count = len(journal.lines)
            stored.debit_minor = journal.debit_minor
            stored.credit_minor = journal.credit_minor
            stored.lines = lines
            stored.updated_at = now
            result.updated.append(journal.id)
        enqueue_change(session, "revenue_journal", journal.id, now)

    for stored in existing.values():
        if stored.status == "withdrawn":
            continue
        # NetSuite deletes it under the same external id; the audit row keeps what it held.
        _audit(session, stored, "withdrawn", 0, "[]", now=now)
        stored.status = "withdrawn"
        stored.updated_at = now
        result.withdrawn.append(stored.id)
        enqueue_change(session, "revenue_journal", stored.id, now)


def _audit(
    session: Session,
    stored: RevenueJournal,
    change: str,
    new_credit: int,
    new_lines: str,
    *,
    now: datetime,
) -> None:
    session.add(
        RevenueJournalChange(
            journal_id=stored.id,
            day=stored.day,
            change=change,
            old_credit_minor=stored.credit_minor,
            new_credit_minor=new_credit,
            old_lines=stored.lines,
            new_lines=new_lines,
            changed_at=now,
        )
    )
