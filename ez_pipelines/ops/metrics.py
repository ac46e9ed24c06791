"""Per-integration figures computed from the outbox: queue depth, outcomes, retries, lag.

Every query filters on indexed columns (system, status, next_attempt_at / completed_at), and lag
percentiles are taken over a bounded window of recent completions, so the figures stay cheap as
the outbox grows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING, OutboxAttempt, OutboxRow

LAG_WINDOW_ROWS = 10_000


@dataclass(frozen=True)
class QueueStatus:
    """The open rows of one (system, entity) at an instant."""

    system: str
    entity: str
    due: int
    in_flight: int
    waiting_retry: int
    dead_letters: int
    next_due_at: datetime | None
    oldest_change_at: datetime | None
    watermark: str
    """Changes whenever the set of due rows or their state changes."""

    @property
    def name(self) -> str:
        return f"{self.system}/{self.entity}"


@dataclass(frozen=True)
class OutboundStats:
    system: str
    created: int
    updated: int
    unchanged: int
    linked: int
    done: int
    retries: int
    dead_letters: int
    pending: int
    p50_lag_s: float | None
    p95_lag_s: float | None
    last_success: datetime | None


def queue_status(db: Database, *, now: datetime) -> dict[tuple[str, str], QueueStatus]:
    leased = (OutboxRow.lease_expires_at.is_not(None)) & (OutboxRow.lease_expires_at > now)
    due = (OutboxRow.next_attempt_at <= now) & ~leased
    query = (
        select(
            OutboxRow.system,
            OutboxRow.entity,
            func.sum(case((due, 1), else_=0)),
            func.sum(case((leased, 1), else_=0)),
            func.sum(case((~due & ~leased, 1), else_=0)),
            func.min(case((~due & ~leased, OutboxRow.next_attempt_at), else_=None)),
            func.min(OutboxRow.enqueued_at),
            func.max(case((due, OutboxRow.id), else_=None)),
            func.sum(case((due, OutboxRow.change_seq + OutboxRow.attempts), else_=0)),
        )
        .where(OutboxRow.status == PENDING)
        .group_by(OutboxRow.system, OutboxRow.entity)
    )
    dead_query = (
        select(OutboxRow.system, OutboxRow.entity, func.count())
        .where(OutboxRow.status == DEAD)
        .group_by(OutboxRow.system, OutboxRow.entity)
    )
    with db.read() as session:
        open_rows = session.execute(query).all()
        dead = {(s, e): n for s, e, n in session.execute(dead_query).all()}

    status = {}
    for system, entity, n_due, n_leased, n_waiting, next_due, oldest, max_id, seq in open_rows:
        fingerprint = f"{n_due}:{max_id}:{seq}"
        status[(system, entity)] = QueueStatus(
            system=system,
            entity=entity,
            due=int(n_due or 0),
            in_flight=int(n_leased or 0),
            waiting_retry=int(n_waiting or 0),
            dead_letters=dead.pop((system, entity), 0),
            next_due_at=aware_utc(next_due),
            oldest_change_at=aware_utc(oldest),
            watermark=hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
        )
    for (system, entity), count in dead.items():
        status[(system, entity)] = QueueStatus(system, entity, 0, 0, 0, count, None, None, "")
    return status


def outbound_stats(db: Database, system: str) -> OutboundStats:
    with db.read() as session:
        outcomes = dict(
            session.execute(
                select(OutboxRow.outcome, func.count())
                .where(OutboxRow.system == system, OutboxRow.status == DONE)
                .group_by(OutboxRow.outcome)
            ).all()
        )
        by_status = dict(
            session.execute(
                select(OutboxRow.status, func.count())
                .where(OutboxRow.system == system)
                .group_by(OutboxRow.status)
            ).all()
        )
        retries = session.scalar(
            select(func.count())
            .select_from(OutboxAttempt)
            .join(OutboxRow, OutboxRow.id == OutboxAttempt.outbox_id)
            .where(OutboxRow.system == system, OutboxAttempt.decision == "retry")
        )
        recent = session.execute(
            select(OutboxRow.enqueued_at, OutboxRow.completed_at)
            .where(OutboxRow.system == system, OutboxRow.status == DONE)
            .order_by(OutboxRow.completed_at.desc())
            .limit(LAG_WINDOW_ROWS)
        ).all()
    lags = sorted((done - queued).total_seconds() for queued, done in recent if done)
    return OutboundStats(
        system=system,
        created=outcomes.get("created", 0),
        updated=outcomes.get("updated", 0),
        unchanged=outcomes.get("unchanged", 0),
        linked=outcomes.get("linked", 0),
        done=by_status.get(DONE, 0),
        retries=int(retries or 0),
        dead_letters=by_status.get(DEAD, 0),
        pending=by_status.get(PENDING, 0),
        p50_lag_s=percentile(lags, 50),
        p95_lag_s=percentile(lags, 95),
        last_success=recent[0][1] if recent else None,
    )


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of already sorted values; None for no values."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * pct // 100))
    return sorted_values[int(rank) - 1]


def aware_utc(value: datetime | str | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive strings or datetimes.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
