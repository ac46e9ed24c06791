"""Claiming outbox rows under a lease.

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
from ez_pipelines.outbox.tables import PENDING, OutboxRow


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
    budget_attempts: int = 0
    """Failed attempts counted against the retry budget (a person's retry resets it)."""
    budget_started_at: datetime | None = None


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
                    budget_attempts=row.attempts - row.budget_offset,
                    budget_started_at=row.budget_started_at,
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


def held_row(session: Session, claim: Claim, now: datetime) -> OutboxRow | None:
    """The claimed row, locked, if `claim` still holds it; None if it was fenced out."""
    query = select(OutboxRow).where(OutboxRow.id == claim.outbox_id).with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None or row.status != PENDING or row.lease_token != claim.token:
        return None
    if row.lease_expires_at is None or row.lease_expires_at <= now:
        return None
    return row
