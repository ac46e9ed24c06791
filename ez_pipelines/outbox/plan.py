"""Classifying records against what the vendor last accepted, for the dispatcher and dry runs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.outbox.projection import Payload, Projection, payload_hash
from ez_pipelines.outbox.tables import PENDING, OutboxRow

ACTIONS = ("create", "update", "unchanged", "missing")


@dataclass(frozen=True)
class PlannedChange:
    record_id: str
    action: str  # create | update | unchanged | missing
    payload: Payload | None = None
    payload_hash: str | None = None
    vendor_id: str | None = None
    vendor_key: str | None = None
    previous_payload: Payload | None = None
    siblings: tuple[str, ...] = ()


def classify(
    session: Session, projection: Projection, record_ids: Sequence[str]
) -> list[PlannedChange]:
    """Map each record through the contract and compare with the vendor's last accepted payload.

    Unchanged means the same payload hash under the same contract version: nothing to send.
    """
    payloads = projection.build(session, record_ids)
    refs = _refs(session, projection, record_ids)
    siblings = _siblings(session, projection, refs)
    changes = []
    for record_id in record_ids:
        payload = payloads.get(record_id)
        if payload is None:
            changes.append(PlannedChange(record_id, "missing"))
            continue
        digest = payload_hash(payload)
        ref = refs.get(record_id)
        if ref is None:
            action = "create"
        elif ref.payload_hash == digest and ref.contract_version == projection.contract_version:
            action = "unchanged"
        else:
            action = "update"
        if ref is None:
            changes.append(PlannedChange(record_id, action, payload, digest))
            continue
        changes.append(
            PlannedChange(
                record_id,
                action,
                payload,
                digest,
                vendor_id=ref.vendor_id,
                vendor_key=ref.vendor_key,
                previous_payload=json.loads(ref.payload) if ref.payload else None,
                siblings=tuple(sorted(siblings.get(ref.vendor_id, set()) - {record_id})),
            )
        )
    return changes


def _refs(
    session: Session, projection: Projection, record_ids: Sequence[str]
) -> dict[str, ExternalRef]:
    query = select(ExternalRef).where(
        ExternalRef.system == projection.system,
        ExternalRef.record_type == projection.entity,
        ExternalRef.record_id.in_(record_ids),
    )
    return {ref.record_id: ref for ref in session.scalars(query)}


def _siblings(
    session: Session, projection: Projection, refs: dict[str, ExternalRef]
) -> dict[str, set[str]]:
    """Every record of ours mapped onto each of these vendor records."""
    vendor_ids = {ref.vendor_id for ref in refs.values()}
    if not vendor_ids:
        return {}
    rows = session.execute(
        select(ExternalRef.vendor_id, ExternalRef.record_id).where(
            ExternalRef.system == projection.system,
            ExternalRef.record_type == projection.entity,
            ExternalRef.vendor_id.in_(vendor_ids),
        )
    )
    members: dict[str, set[str]] = {}
    for vendor_id, record_id in rows:
        members.setdefault(vendor_id, set()).add(record_id)
    return members


def plan_sync(db: Database, projection: Projection) -> list[PlannedChange]:
    """What a sync of the projection would do now with every open row, without sending."""
    with db.read() as session:
        ids = list(
            session.scalars(
                select(OutboxRow.record_id)
                .where(
                    OutboxRow.system == projection.system,
                    OutboxRow.entity == projection.entity,
                    OutboxRow.status == PENDING,
                )
                .order_by(OutboxRow.id)
            )
        )
        return classify(session, projection, ids)


def summarise(changes: Sequence[PlannedChange]) -> dict[str, int]:
    counts = Counter(change.action for change in changes)
    return {action: counts.get(action, 0) for action in ACTIONS}
