"""Writing channel records and reading unified leads, as the lead tests need them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.leads import LeadInput, record_lead_contact
from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.tables import LeadReview, UnifiedLead


def add_lead(
    db: Database,
    source: str,
    ref: str,
    name: str | None = None,
    *,
    email: str | None = None,
    phone: str | None = None,
    region: str = "AE",
    now: datetime,
) -> int:
    with db.write() as session:
        record_lead_contact(
            session, LeadInput(source, ref, name, email=email, phone=phone), now=now,
            default_region=region,
        )  # fmt: skip
        return session.scalars(
            select(Lead.id).where(Lead.source == source, Lead.source_ref == ref)
        ).one()


def unified(db: Database) -> list[UnifiedLead]:
    with db.read() as session:
        return list(session.scalars(select(UnifiedLead).order_by(UnifiedLead.id)))


def membership(db: Database) -> dict[str, str | None]:
    """source:ref -> unified lead id."""
    with db.read() as session:
        rows = session.execute(select(Lead.source, Lead.source_ref, Lead.person_id))
        return {f"{source}:{ref}": person for source, ref, person in rows}


def reviews(db: Database, status: str | None = None) -> list[LeadReview]:
    with db.read() as session:
        query = select(LeadReview).order_by(LeadReview.id)
        if status:
            query = query.where(LeadReview.status == status)
        return list(session.scalars(query))
