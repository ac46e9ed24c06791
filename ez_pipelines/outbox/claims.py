"""Claiming outbox rows under a lease, and settling them: done, retry later, or dead letter.

A claim is a lease with a fencing token. Two workers never hold the same row: PostgreSQL skips
rows another transaction has locked (`FOR UPDATE SKIP LOCKED`), SQLite serialises the claim with
`BEGIN IMMEDIATE`. A worker whose lease expired, or whose token was superseded by a newer claim,
cannot settle the row afterwards: every settle checks the token and the lease inside its own
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.outbox.backoff import Decision
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING, SUPERSEDED, OutboxAttempt, OutboxRow

_MESSAGE_LIMIT = 2000


@dataclass(frozen=True)
class Claim:
    outbox_id: int
    system: str
    entity: str
    record_id: str
    token: int
    claimed_seq: int
    attempts: int
    enqueued_at: datetime
    worker: str


@dataclass(frozen=True)
class RefUpdate:
    """What the vendor now holds for the record, stored with the row's completion."""

    vendor_id: str
    contract_version: str
    payload_hash: str


def claim_batch(
    db: Database,
    *,
    system: str,
    entity: str,
    worker: str,
    limit: int,
    lease_s: float,
    now: datetime,
) -> list[Claim]:
    """Lease up to `limit` due rows for `worker`, oldest due first."""
    query = (
        select(OutboxRow)
        .where(
            OutboxRow.system == system,
            OutboxRow.entity == entity,
            OutboxRow.status == PENDING,
            OutboxRow.next_attempt_at <= now,
            or_(OutboxRow.lease_expires_at.is_(None), OutboxRow.lease_expires_at <= now),
        )
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
    )
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)

    claims = []
    with db.write() as session:
        for row in session.scalars(query):
            row.lease_owner = worker
            row.lease_token += 1
            row.lease_expires_at = now + timedelta(seconds=lease_s)
            row.claimed_seq = row.change_seq
            claims.append(
                Claim(
                    outbox_id=row.id,
                    system=row.system,
                    entity=row.entity,
                    record_id=row.record_id,
                    token=row.lease_token,
                    claimed_seq=row.change_seq,
                    attempts=row.attempts,
                    enqueued_at=row.enqueued_at,
                    worker=worker,
                )
            )
    return claims


def renew_leases(db: Database, claims: Sequence[Claim], *, lease_s: float, now: datetime) -> int:
    """Extend the leases `claims` still hold; a lease that already ran out stays lost.

    Returns how many were renewed.
    """
    renewed = 0
    with db.write() as session:
        for claim in claims:
            result = session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.id == claim.outbox_id,
                    OutboxRow.lease_token == claim.token,
                    OutboxRow.status == PENDING,
                    OutboxRow.lease_expires_at > now,
                )
                .values(lease_expires_at=now + timedelta(seconds=lease_s))
            )
            renewed += result.rowcount  # type: ignore[attr-defined]
    return renewed


def _held_row(session: Session, claim: Claim, now: datetime) -> OutboxRow | None:
    """The claimed row, locked, if `claim` still holds it; None if it was fenced out."""
    query = select(OutboxRow).where(OutboxRow.id == claim.outbox_id).with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None or row.status != PENDING or row.lease_token != claim.token:
        return None
    if row.lease_expires_at is None or row.lease_expires_at <= now:
        return None
    return row


def _release(row: OutboxRow) -> None:
    row.lease_owner = None
    row.lease_expires_at = None


def _reopen_if_changed(row: OutboxRow, claim: Claim, now: datetime) -> bool:
    """A change that arrived while the claim was in flight keeps the row open and due now."""
    if row.change_seq == claim.claimed_seq:
        return False
    _release(row)
    row.next_attempt_at = now
    row.enqueued_at = row.changed_at
    return True


def complete(
    session: Session,
    claim: Claim,
    *,
    outcome: str,
    now: datetime,
    ref: RefUpdate | None = None,
    payload: str | None = None,
) -> bool:
    """Record success. Returns False, changing nothing, when the claim was fenced out."""
    row = _held_row(session, claim, now)
    if row is None:
        return False

    row.attempts += 1
    row.outcome = outcome
    row.payload = payload
    if ref is not None:
        row.vendor_id = ref.vendor_id
        _store_ref(session, claim, ref, now)

    if not _reopen_if_changed(row, claim, now):
        _release(row)
        row.status = DONE
        row.completed_at = now
        row.last_error = None
        _supersede_dead_letters(session, row)
    return True


def record_failure(
    session: Session,
    claim: Claim,
    error: SyncError,
    decision: Decision,
    *,
    now: datetime,
    payload: str | None = None,
) -> bool:
    """Record a failed attempt and what was decided. False when the claim was fenced out."""
    row = _held_row(session, claim, now)
    if row is None:
        return False

    row.attempts += 1
    row.last_error = error.message[:_MESSAGE_LIMIT]
    row.last_error_kind = error.kind
    if payload is not None:
        row.payload = payload
    session.add(
        OutboxAttempt(
            outbox_id=row.id,
            attempt=row.attempts,
            at=now,
            worker=claim.worker,
            kind=error.kind,
            error_type=type(error).__name__,
            message=error.message[:_MESSAGE_LIMIT],
            http_status=error.http_status,
            decision="dead" if decision.is_dead else "retry",
            retry_at=decision.retry_at,
        )
    )

    if decision.is_dead and _reopen_if_changed(row, claim, now):
        # The record changed while we were failing on its old state: try the new state first.
        return True
    _release(row)
    if decision.is_dead:
        row.status = DEAD
        row.dead_at = now
        row.dead_reason = (decision.dead_reason or error.message)[:_MESSAGE_LIMIT]
    else:
        assert decision.retry_at is not None
        row.next_attempt_at = decision.retry_at
    return True


def release(session: Session, claim: Claim, now: datetime) -> bool:
    """Give a claimed row back untouched, e.g. when the worker stops before sending it."""
    row = _held_row(session, claim, now)
    if row is None:
        return False
    _release(row)
    return True


def _store_ref(session: Session, claim: Claim, ref: RefUpdate, now: datetime) -> None:
    key = (claim.entity, claim.record_id, claim.system)
    existing = session.get(ExternalRef, key)
    if existing is None:
        session.add(
            ExternalRef(
                record_type=claim.entity,
                record_id=claim.record_id,
                system=claim.system,
                vendor_id=ref.vendor_id,
                contract_version=ref.contract_version,
                payload_hash=ref.payload_hash,
                synced_at=now,
            )
        )
        return
    existing.vendor_id = ref.vendor_id
    existing.contract_version = ref.contract_version
    existing.payload_hash = ref.payload_hash
    existing.synced_at = now


def forget_accepted_payload(session: Session, claim: Claim) -> None:
    """Make the next sync of the record send it even if its payload looks unchanged."""
    session.execute(
        update(ExternalRef)
        .where(
            ExternalRef.record_type == claim.entity,
            ExternalRef.record_id == claim.record_id,
            ExternalRef.system == claim.system,
        )
        .values(payload_hash="")
    )


def _supersede_dead_letters(session: Session, row: OutboxRow) -> None:
    """A newer change reached the vendor, so older dead letters of the record are moot."""
    session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.system == row.system,
            OutboxRow.entity == row.entity,
            OutboxRow.record_id == row.record_id,
            OutboxRow.status == DEAD,
            OutboxRow.id < row.id,
        )
        .values(status=SUPERSEDED)
    )
