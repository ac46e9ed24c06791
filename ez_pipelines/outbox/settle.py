"""Settling a claimed row: done, retry later, or dead letter, only while the claim holds it.

Success also records what the vendor now holds (the external reference) in the same
transaction. When the vendor record a record maps to changes (a customer whose email moved to
another HubSpot contact), the other records still mapped to the old vendor record are queued
again, so the vendor record ends holding their state, not the departed one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.outbox.backoff import Decision
from ez_pipelines.outbox.claims import Claim, held_row
from ez_pipelines.outbox.enqueue import enqueue
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.tables import DEAD, DONE, SUPERSEDED, OutboxAttempt, OutboxRow

MESSAGE_LIMIT = 2000


@dataclass(frozen=True)
class RefUpdate:
    """What the vendor now holds for the record, stored with the row's completion."""

    vendor_id: str
    contract_version: str
    payload_hash: str
    payload: str | None = None
    vendor_key: str | None = None


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
    released: bool = False,
) -> bool:
    """Record success. Returns False, changing nothing, when the claim was fenced out.

    `released`: the record no longer has a vendor record of its own; its reference goes."""
    row = held_row(session, claim, now)
    if row is None:
        return False

    row.attempts += 1
    row.outcome = outcome
    row.payload = payload
    if ref is not None:
        row.vendor_id = ref.vendor_id
        _store_ref(session, claim, ref, now)
    if released:
        session.execute(
            delete(ExternalRef).where(
                ExternalRef.record_type == claim.entity,
                ExternalRef.record_id == claim.record_id,
                ExternalRef.system == claim.system,
            )
        )

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
    row = held_row(session, claim, now)
    if row is None:
        return False

    row.attempts += 1
    row.last_error = error.message[:MESSAGE_LIMIT]
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
            message=error.message[:MESSAGE_LIMIT],
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
        row.dead_reason = (decision.dead_reason or error.message)[:MESSAGE_LIMIT]
    else:
        assert decision.retry_at is not None
        row.next_attempt_at = decision.retry_at
    return True


def release(session: Session, claim: Claim, now: datetime) -> bool:
    """Give a claimed row back untouched, e.g. when the worker stops before sending it."""
    row = held_row(session, claim, now)
    if row is None:
        return False
    _release(row)
    return True


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


def _store_ref(session: Session, claim: Claim, ref: RefUpdate, now: datetime) -> None:
    key = (claim.entity, claim.record_id, claim.system)
    existing = session.get(ExternalRef, key)
    if existing is None:
        existing = ExternalRef(
            record_type=claim.entity, record_id=claim.record_id, system=claim.system
        )
        session.add(existing)
    elif existing.vendor_id != ref.vendor_id:
        _requeue_members(session, claim, existing.vendor_id, now)
    existing.vendor_id = ref.vendor_id
    existing.vendor_key = ref.vendor_key
    existing.contract_version = ref.contract_version
    existing.payload_hash = ref.payload_hash
    existing.payload = ref.payload
    existing.synced_at = now


def _requeue_members(session: Session, claim: Claim, left_vendor_id: str, now: datetime) -> None:
    """The record left a vendor record it shared: its other members write their state again."""
    members = session.scalars(
        select(ExternalRef.record_id).where(
            ExternalRef.system == claim.system,
            ExternalRef.record_type == claim.entity,
            ExternalRef.vendor_id == left_vendor_id,
            ExternalRef.record_id != claim.record_id,
        )
    )
    for record_id in list(members):
        session.execute(
            update(ExternalRef)
            .where(
                ExternalRef.system == claim.system,
                ExternalRef.record_type == claim.entity,
                ExternalRef.record_id == record_id,
            )
            .values(payload_hash="")
        )
        enqueue(session, system=claim.system, entity=claim.entity, record_id=record_id, now=now)


def _supersede_dead_letters(session: Session, row: OutboxRow) -> None:
    """The record's current state reached the vendor, so its dead letters are moot: every send
    carries the state at the time of sending, never the state the dead letter failed on."""
    session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.system == row.system,
            OutboxRow.entity == row.entity,
            OutboxRow.record_id == row.record_id,
            OutboxRow.status == DEAD,
            OutboxRow.id != row.id,
        )
        .values(status=SUPERSEDED)
    )
