"""Reading the review queue for a person: the list, and one question with both sides shown."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.review import ReviewNotFound
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
        ids = {i for item in items for i in (item.left_lead_id, item.right_lead_id)}
        leads = {lead.id: lead for lead in session.scalars(select(Lead).where(Lead.id.in_(ids)))}
        return [_item(item, leads) for item in items]


def show_item(db: Database, item_id: int) -> ReviewItem:
    with db.read() as session:
        item = session.get(LeadReview, item_id)
        if item is None:
            raise ReviewNotFound(f"no review item {item_id}")
        leads = {
            lead.id: lead
            for lead in session.scalars(
                select(Lead).where(Lead.id.in_((item.left_lead_id, item.right_lead_id)))
            )
        }
        return _item(item, leads)


def oldest_open_age_s(db: Database, *, now: datetime) -> float:
    with db.read() as session:
        oldest = session.scalar(
            select(func.min(LeadReview.opened_at)).where(LeadReview.status == OPEN)
        )
    return max((now - oldest).total_seconds(), 0.0) if oldest else 0.0


def _item(item: LeadReview, leads: dict[int, Lead]) -> ReviewItem:
    return ReviewItem(
        id=item.id,
        status=item.status,
        decision=item.decision,
        score=item.score,
        evidence=json.loads(item.evidence or "{}"),
        opened_at=item.opened_at,
        decided_by=item.decided_by,
        left=_side(leads[item.left_lead_id]),
        right=_side(leads[item.right_lead_id]),
    )
