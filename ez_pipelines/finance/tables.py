"""Finance's own tables: credit notes, the daily revenue ledger, journals and their audit.

Amounts are integer minor units. A revenue day row is what one Dubai day posted for one booking;
once written it is the frozen past every later day is computed from.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ez_pipelines.canonical.base import Base, BigIntKey, RecordId, UtcDateTime

Minor = BigInteger


class CreditNote(Base):
    """Money or value given back on an invoice: a refund, an adjustment, a cancellation."""

    __tablename__ = "credit_notes"

    id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), doc="refund|adjustment|cancellation")
    refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(200))
    amount_minor: Mapped[int] = mapped_column(Minor, doc="the value given back, VAT excluded")
    vat_minor: Mapped[int] = mapped_column(Minor)
    currency: Mapped[str] = mapped_column(String(3))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RevenueDay(Base):
    """One booking's deferred revenue movements on one Dubai day."""

    __tablename__ = "revenue_days"
    __table_args__ = (Index("ix_revenue_days_day", "day"),)

    booking_id: Mapped[str] = mapped_column(RecordId(), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3))
    opening_minor: Mapped[int] = mapped_column(Minor)
    invoiced_minor: Mapped[int] = mapped_column(Minor)
    recognised_minor: Mapped[int] = mapped_column(Minor)
    refunded_minor: Mapped[int] = mapped_column(Minor)
    closing_minor: Mapped[int] = mapped_column(Minor)
    ended: Mapped[bool] = mapped_column(doc="the rental's last day is on or before this day")
    journal_id: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RevenuePartition(Base):
    """A Dubai day whose revenue has been computed, even when there was nothing to post."""

    __tablename__ = "revenue_partitions"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    bookings: Mapped[int] = mapped_column(Integer)
    journals: Mapped[int] = mapped_column(Integer)
    recognised_minor: Mapped[int] = mapped_column(Minor)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RevenueJournal(Base):
    """A day's revenue journal as we post it; its id is the NetSuite external id."""

    __tablename__ = "revenue_journals"
    __table_args__ = (Index("ix_revenue_journals_day", "day"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), doc="posted|withdrawn")
    line_count: Mapped[int] = mapped_column(Integer)
    debit_minor: Mapped[int] = mapped_column(Minor)
    credit_minor: Mapped[int] = mapped_column(Minor)
    lines: Mapped[str] = mapped_column(Text, doc="the journal's lines, as JSON")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class RevenueJournalChange(Base):
    """A journal that came out differently when its day was computed again, and why it moved."""

    __tablename__ = "revenue_journal_audit"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    journal_id: Mapped[str] = mapped_column(String(64), index=True)
    day: Mapped[date] = mapped_column(Date)
    change: Mapped[str] = mapped_column(String(16), doc="updated|withdrawn")
    old_credit_minor: Mapped[int] = mapped_column(Minor)
    new_credit_minor: Mapped[int] = mapped_column(Minor)
    old_lines: Mapped[str] = mapped_column(Text)
    new_lines: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
