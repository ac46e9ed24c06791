"""What health keeps: samples of each integration's figures, and inbound tallies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ez_pipelines.canonical.base import Base, BigIntKey, UtcDateTime


class HealthSample(Base):
    """One integration's figures in one direction at one instant: the points of the charts."""

    __tablename__ = "health_samples"
    __table_args__ = (Index("ix_health_samples_integration_taken", "integration", "taken_at"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    integration: Mapped[str] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(8), doc="out|in|both")
    status: Mapped[str] = mapped_column(String(8), doc="green|amber|red")
    queue_depth: Mapped[int] = mapped_column(Integer)
    dead_letters: Mapped[int] = mapped_column(Integer)
    error_rate: Mapped[float | None] = mapped_column(Float)
    p95_lag_s: Mapped[float | None] = mapped_column(Float)


class InboundTally(Base):
    """Deliveries the inbox does not keep a row for, counted per hour.

    A rejected webhook is stored nowhere by design and a duplicate changes nothing, so without
    this count neither would be visible once the receiver's log has rotated.
    """

    __tablename__ = "inbound_tallies"

    system: Mapped[str] = mapped_column(String(32), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True, doc="rejected|duplicate")
    hour: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime())
