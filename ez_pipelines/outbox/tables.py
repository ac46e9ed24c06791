"""The outbox: one row per record waiting to reach one outside system, plus its attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ez_pipelines.canonical.base import Base, BigIntKey, RecordId, UtcDateTime

PENDING = "pending"
DONE = "done"
DEAD = "dead"
DISCARDED = "discarded"
SUPERSEDED = "superseded"

_OPEN = text("status = 'pending'")


class OutboxRow(Base):
    """A record that must reach `system`.

    At most one row per (system, entity, record) is open (`pending`); later changes coalesce into
    it by bumping `change_seq`. A claim copies `change_seq` to `claimed_seq` and takes a lease with
    a fencing `lease_token`; completion succeeds only for the current token inside its lease, and
    only closes the row when no change arrived while the claim was in flight.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "uq_outbox_open_record",
            "system",
            "entity",
            "record_id",
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        Index("ix_outbox_due", "system", "entity", "status", "next_attempt_at"),
        Index("ix_outbox_status_completed", "system", "status", "completed_at"),
        # Status first: the open rows and the dead letters of every system, read by the sensor
        # and by health, are a range of this index, never a scan of the whole outbox.
        Index("ix_outbox_status_system", "status", "system", "entity", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    system: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(RecordId())
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    change_seq: Mapped[int] = mapped_column(Integer, default=1)
    claimed_seq: Mapped[int | None] = mapped_column(Integer)
    enqueued_at: Mapped[datetime] = mapped_column(UtcDateTime(), doc="oldest unsynced change")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), doc="newest change")
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A person's retry of a dead letter grants a fresh budget without renumbering attempts.
    budget_started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    budget_offset: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_token: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_kind: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16), doc="created|updated|unchanged|linked")
    vendor_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[str | None] = mapped_column(Text, doc="last payload sent, as JSON")
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dead_reason: Mapped[str | None] = mapped_column(Text)


class OutboxAttempt(Base):
    """One failed attempt of an outbox row: what went wrong and what was decided."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    worker: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), doc="retryable|permanent|conflict")
    error_type: Mapped[str] = mapped_column(String(64))
    message: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(16), doc="retry|dead")
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
