"""Dead letters, the rows a person must look at: listed, shown, retried and discarded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.tables import DEAD, DISCARDED, PENDING, OutboxAttempt, OutboxRow


class DeadLetterNotFound(LookupError):
    pass


@dataclass(frozen=True)
class DeadLetter:
    id: int
    system: str
    entity: str
    record_id: str
    attempts: int
    enqueued_at: datetime
    dead_at: datetime | None
    reason: str
    payload: str | None


@dataclass(frozen=True)
class AttemptRecord:
    attempt: int
    at: datetime
    kind: str
    error_type: str
    message: str
    http_status: int | None
    decision: str


def _as_dead_letter(row: OutboxRow) -> DeadLetter:
    return DeadLetter(
        id=row.id,
        system=row.system,
        entity=row.entity,
        record_id=row.record_id,
        attempts=row.attempts,
        enqueued_at=row.enqueued_at,
        dead_at=row.dead_at,
        reason=row.dead_reason or row.last_error or "",
        payload=row.payload,
    )


def list_dead_letters(db: Database, *, system: str | None = None) -> list[DeadLetter]:
    query = select(OutboxRow).where(OutboxRow.status == DEAD).order_by(OutboxRow.id)
    if system:
        query = query.where(OutboxRow.system == system)
    with db.read() as session:
        return [_as_dead_letter(row) for row in session.scalars(query)]


def show_dead_letter(db: Database, outbox_id: int) -> tuple[DeadLetter, list[AttemptRecord]]:
    with db.read() as session:
        row = session.get(OutboxRow, outbox_id)
        if row is None or row.status != DEAD:
            raise DeadLetterNotFound(f"no dead letter with id {outbox_id}")
        attempts = session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.outbox_id == outbox_id)
            .order_by(OutboxAttempt.attempt)
        )
        history = [
            AttemptRecord(
                a.attempt, a.at, a.kind, a.error_type, a.message, a.http_status, a.decision
            )
            for a in attempts
        ]
        return _as_dead_letter(row), history


@dataclass(frozen=True)
class Retried:
    dead_letter_id: int
    queued_as: int
    """The row that will carry the retry: the dead letter itself, or the record's open row."""


def retry_dead_letters(db: Database, ids: Sequence[int], *, now: datetime) -> list[Retried]:
    """Put dead letters back in the queue, due now, with a fresh retry budget.

    Only one row per record may be open, so a record that already has one (a newer change)
    has the dead letter folded into it: the open row becomes due now with a fresh budget, and
    the dead letter is closed as discarded, pointing at it.
    """
    retried = []
    with db.write() as session:
        for outbox_id in ids:
            row = session.get(OutboxRow, outbox_id, with_for_update=True)
            if row is None or row.status != DEAD:
                raise DeadLetterNotFound(f"no dead letter with id {outbox_id}")
            target = _open_row(session, row)
            if target is None:
                try:
                    with session.begin_nested():
                        row.status = PENDING
                        row.dead_at = None
                        _fresh_budget(row, now)
                        session.flush()
                    target = row
                except IntegrityError:
                    # A change committed between our look and our write opened a row.
                    target = _open_row(session, row)
                    assert target is not None
            if target is not row:
                _fresh_budget(target, now)
                row.status = DISCARDED
                row.dead_reason = f"{row.dead_reason} (retried as row {target.id})"
            retried.append(Retried(outbox_id, target.id))
    return retried


def _open_row(session: Session, row: OutboxRow) -> OutboxRow | None:
    return session.scalars(
        select(OutboxRow).where(
            OutboxRow.system == row.system,
            OutboxRow.entity == row.entity,
            OutboxRow.record_id == row.record_id,
            OutboxRow.status == PENDING,
        )
    ).one_or_none()


def _fresh_budget(row: OutboxRow, now: datetime) -> None:
    """Due now; attempts keep counting (their history stays numbered) but the budget restarts."""
    row.next_attempt_at = now
    row.budget_offset = row.attempts
    row.budget_started_at = now


def discard_dead_letters(db: Database, ids: Sequence[int], *, reason: str) -> list[int]:
    with db.write() as session:
        for outbox_id in ids:
            row = session.get(OutboxRow, outbox_id)
            if row is None or row.status != DEAD:
                raise DeadLetterNotFound(f"no dead letter with id {outbox_id}")
            row.status = DISCARDED
            row.dead_reason = f"{row.dead_reason} (discarded: {reason})"
    return list(ids)
