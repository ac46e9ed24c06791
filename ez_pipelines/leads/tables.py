"""Unified leads, and the questions about them that wait for a person.

A `Lead` row (canonical.models) is one channel's record of a prospect; a `UnifiedLead` is the
person behind one or more of them. A `LeadReview` is one pair of lead records the matcher could
not decide, and, once answered, the decision every later unification applies: both records are
named by their source and the source's own id, which survive any recompute.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ez_pipelines.canonical.base import Base, BigIntKey, RecordId, UtcDateTime

OPEN = "open"
DECIDED = "decided"
SETTLED = "settled"
"""The question became moot: the two records ended in one lead through other evidence."""
DECISIONS = ("merge", "distinct", "split")


class UnifiedLead(Base):
    __tablename__ = "unified_leads"

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True, doc="LD- and its first record")
    full_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    # One person per email key: a later `SARA.Q@EXAMPLE.COM` lands on the lead that has it.
    email_key: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True, doc="E.164")
    hubspot_contact_id: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id"), index=True)
    records: Mapped[int] = mapped_column(Integer, doc="how many channel records it unifies")
    content_hash: Mapped[str] = mapped_column(String(64), doc="what it last looked like")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LeadReview(Base):
    """A pair of channel records, named by what their channels call them (source and the
    channel's own id), never by the `leads.id` a recompute may give them anew."""

    __tablename__ = "lead_reviews"
    __table_args__ = (
        UniqueConstraint("left_source", "left_ref", "right_source", "right_ref"),
        Index("ix_lead_reviews_status_opened", "status", "opened_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    left_source: Mapped[str] = mapped_column(String(16), doc="the pair's first record: its source")
    left_ref: Mapped[str] = mapped_column(String(128), doc="and its id in that source")
    right_source: Mapped[str] = mapped_column(String(16), doc="the second, (source, ref) after")
    right_ref: Mapped[str] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, doc="each field's comparison, as JSON")
    status: Mapped[str] = mapped_column(String(16), doc="open|decided|settled")
    decision: Mapped[str | None] = mapped_column(String(16), doc="merge|distinct|split")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    @property
    def left(self) -> tuple[str, str]:
        return (self.left_source, self.left_ref)

    @property
    def right(self) -> tuple[str, str]:
        return (self.right_source, self.right_ref)
