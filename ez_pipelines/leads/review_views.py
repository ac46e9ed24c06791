"""Reading the review queue for a person: the list, and one question with both sides shown."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.review import RecordKey, ReviewNotFound
from ez_pipelines.leads.tables import OPEN, LeadReview


@dataclass(frozen=True)
class Side:
    """One channel record as a reviewer sees it; contact points masked only in logs, not here."""

    record_id: int
    source: str
    source_ref: str
    name: str | None
    email: str | None
    phone: str | None
    phone_raw: str | None
    phone_status: str | None
    lead_id: str | None


@dataclass(frozen=True)
class ReviewItem:
    id: int
    status: str
    decision: str | None
    score: float
    evidence: dict[str, str]
    opened_at: datetime
    decided_by: str | None
    left: Side
    right: Side


def _side(lead: Lead) -> Side:
    return Side(
        lead.id,
        lead.source,
        lead.source_ref,
        lead.full_name,
        lead.email,
        lead.phone,
        lead.phone_raw,
        lead.phone_status,
        lead.person_id,
    )


def list_items(db: Database, *, only_open: bool = True, limit: int = 200) -> list[ReviewItem]:
    query = select(LeadReview).order_by(LeadReview.opened_at, LeadReview.id).limit(limit)
    if only_open:
        query = query.where(LeadReview.status == OPEN)
    with db.read() as session:
        items = list(session.scalars(query))
        leads = _records_of(session, items)
        return [_item(item, leads) for item in items if item.left in leads and item.right in leads]


def show_item(db: Database, item_id: int) -> ReviewItem:
    with db.read() as session:
        item = session.get(LeadReview, item_id)
        if item is None:
            raise ReviewNotFound(f"no review item {item_id}")
        leads = _records_of(session, [item])
        if item.left not in leads or item.right not in leads:
            raise ReviewNotFound(f"review item {item_id} is about a record not read yet")
        return _item(item, leads)


def _records_of(session: Session, items: Sequence[LeadReview]) -> dict[RecordKey, Lead]:
    wanted = {key for item in items for key in (item.left, item.right)}
    refs = {ref for _, ref in wanted}
    found: Iterable[Lead] = (
        session.scalars(select(Lead).where(Lead.source_ref.in_(refs))) if refs else ()
    )
    return {
        (lead.source, lead.source_ref): lead
        for lead in found
        if (lead.source, lead.source_ref) in wanted
    }


def oldest_open_age_s(db: Database, *, now: datetime) -> float:
    with db.read() as session:
        oldest = session.scalar(
            select(func.min(LeadReview.opened_at)).where(LeadReview.status == OPEN)
        )
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def _item(item: LeadReview, leads: dict[RecordKey, Lead]) -> ReviewItem:
    return ReviewItem(
        id=item.id,
        status=item.status,
        decision=item.decision,
        score=item.score,
        evidence=json.loads(item.evidence or "{}"),
        opened_at=item.opened_at,
        decided_by=item.decided_by,
        left=_side(leads[item.left]),
        right=_side(leads[item.right]),
    )
