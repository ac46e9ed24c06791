"""The inbox: every inbound event, stored once per (system, event id) before anything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ez_pipelines.canonical.base import Base, BigIntKey, UtcDateTime


class InboxEvent(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("system", "event_id"),
        Index("ix_inbox_status_received", "system", "status", "received_at"),
        # Health counts a system's recent events and finds its newest whatever their status.
        Index("ix_inbox_system_received", "system", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    event_type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body: Mapped[bytes] = mapped_column(LargeBinary, doc="the raw bytes the signature covered")
    status: Mapped[str] = mapped_column(String(16), doc="received|processed|deferred|failed")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    error: Mapped[str | None] = mapped_column(Text)
