"""Dead letters, the rows a person must look at: listed, shown, retried and discarded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

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


def retry_dead_letters(db: Database, ids: Sequence[int], *, now: datetime) -> list[int]:
    """Put dead letters back in the queue, due now, with a fresh retry budget.

    A record that already has an open row (a newer change) is folded into it instead, because
    only one row per record may be open.
    """
    retried = []
    with db.write() as session:
        for outbox_id in ids:
            row = session.get(OutboxRow, outbox_id)
            if row is None or row.status != DEAD:
                raise DeadLetterNotFound(f"no dead letter with id {outbox_id}")
            open_row = session.scalars(
                select(OutboxRow).where(
                    OutboxRow.system == row.system,
                    OutboxRow.entity == row.entity,
                    OutboxRow.record_id == row.record_id,
                    OutboxRow.status == PENDING,
                )
            ).one_or_none()
            if open_row is not None:
                open_row.next_attempt_at = now
                row.status = DISCARDED
                row.dead_reason = f"{row.dead_reason} (retried as row {open_row.id})"
            else:
                row.status = PENDING
                row.attempts = 0
                row.enqueued_at = now
                row.next_attempt_at = now
                row.dead_at = None
            retried.append(outbox_id)
    return retried


def discard_dead_letters(db: Database, ids: Sequence[int], *, reason: str) -> list[int]:
    with db.write() as session:
        for outbox_id in ids:
            row = session.get(OutboxRow, outbox_id)
            if row is None or row.status != DEAD:
                raise DeadLetterNotFound(f"no dead letter with id {outbox_id}")
            row.status = DISCARDED
            row.dead_reason = f"{row.dead_reason} (discarded: {reason})"
    return list(ids)
