"""Every integration's pulse: queue depth, error rate, sync lag and last success, per direction.

Outbound figures come from the outbox, inbound ones from the inbox and its tallies; each query
reads an index range (system, status, time) or a window of the last hour, so the cost follows
the recent traffic, not the size of the tables. `ops.thresholds` turns the figures into
findings and a colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.ops.inbound import InboundFigures, inbound_figures
from ez_pipelines.ops.metrics import (
    LAG_WINDOW_ROWS,
    QueueStatus,
    aware_utc,
    percentile,
    queue_status,
)
from ez_pipelines.ops.thresholds import GREEN, RANK, Finding, Thresholds, findings
from ez_pipelines.outbox.tables import DONE, OutboxAttempt, OutboxRow
from ez_pipelines.vendors.registry import SYSTEMS

WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class OutboundFigures:
    due: int
    in_flight: int
    waiting_retry: int
    dead_letters: int
    failures: int
    """Failed vendor calls in the window."""
    successes: int
    """Records the vendor acknowledged in the window (unchanged ones needed no call)."""
    p50_lag_s: float | None
    p95_lag_s: float | None
    oldest_change_at: datetime | None
    last_success: datetime | None

    @property
    def queue_depth(self) -> int:
        return self.due + self.in_flight + self.waiting_retry

    @property
    def error_rate(self) -> float | None:
        calls = self.failures + self.successes
        return self.failures / calls if calls else None

    def oldest_wait_s(self, now: datetime) -> float | None:
        """How long the oldest unsynced change has waited, if anything waits."""
        if self.oldest_change_at is None:
            return None
        return (now - self.oldest_change_at).total_seconds()


@dataclass(frozen=True)
class IntegrationHealth:
    integration: str
    taken_at: datetime
    outbound: OutboundFigures | None
    inbound: InboundFigures | None
    inbound_waiting: int = 0
    findings: tuple[Finding, ...] = field(default=())

    @property
    def status(self) -> str:
        return max((f.status for f in self.findings), key=RANK.__getitem__, default=GREEN)

    @property
    def directions(self) -> str:
        if self.outbound and self.inbound:
            return "both"
        return "out" if self.outbound else "in"

    @property
    def queue_depth(self) -> int:
        return (self.outbound.queue_depth if self.outbound else 0) + self.inbound_waiting

    @property
    def error_rate(self) -> float | None:
        return self.outbound.error_rate if self.outbound else None

    @property
    def p95_lag_s(self) -> float | None:
        return self.outbound.p95_lag_s if self.outbound else None

    @property
    def last_success(self) -> datetime | None:
        if self.outbound and self.outbound.last_success:
            return self.outbound.last_success
        return self.inbound.last_received_at if self.inbound else None

    @property
    def dead_letters(self) -> int:
        return self.outbound.dead_letters if self.outbound else 0


def failures_by_system(db: Database, *, since: datetime) -> dict[str, int]:
    """Failed vendor calls since `since`. One query for every system: it starts from the
    attempts' time index, so it reads the window's attempts and nothing older."""
    with db.read() as session:
        rows = session.execute(
            select(OutboxRow.system, func.count())
            .select_from(OutboxAttempt)
            .join(OutboxRow, OutboxRow.id == OutboxAttempt.outbox_id)
            .where(OutboxAttempt.at >= since)
            .group_by(OutboxRow.system)
        ).all()
    return {system: int(count) for system, count in rows}


def outbound_figures(
    db: Database,
    system: str,
    *,
    now: datetime,
    queues: Sequence[QueueStatus],
    failures: int,
) -> OutboundFigures:
    since = now - WINDOW
    acknowledged = (
        (OutboxRow.system == system)
        & (OutboxRow.status == DONE)
        & (OutboxRow.completed_at >= since)
        & (OutboxRow.outcome != "unchanged")
    )
    with db.read() as session:
        recent = session.execute(
            select(OutboxRow.enqueued_at, OutboxRow.completed_at)
            .where(acknowledged)
            .order_by(OutboxRow.completed_at.desc())
            .limit(LAG_WINDOW_ROWS)
        ).all()
        successes = (
            len(recent)
            if len(recent) < LAG_WINDOW_ROWS
            else session.scalar(select(func.count()).select_from(OutboxRow).where(acknowledged))
        )
        last_success = session.scalar(
            select(func.max(OutboxRow.completed_at)).where(
                OutboxRow.system == system, OutboxRow.status == DONE
            )
        )
    lags = sorted((done - queued).total_seconds() for queued, done in recent if done)
    oldest = [q.oldest_change_at for q in queues if q.oldest_change_at]
    return OutboundFigures(
        due=sum(q.due for q in queues),
        in_flight=sum(q.in_flight for q in queues),
        waiting_retry=sum(q.waiting_retry for q in queues),
        dead_letters=sum(q.dead_letters for q in queues),
        failures=failures,
        successes=int(successes or 0),
        p50_lag_s=percentile(lags, 50),
        p95_lag_s=percentile(lags, 95),
        oldest_change_at=min(oldest, default=None),
        last_success=aware_utc(last_success),
    )


def integration_health(
    db: Database,
    *,
    now: datetime,
    thresholds: Thresholds,
    outbound_systems: Sequence[str] = SYSTEMS,
    inbound_systems: Sequence[str] = INBOUND_SYSTEMS,
) -> list[IntegrationHealth]:
    """One entry per integration that sends or receives, in a stable order."""
    queues = queue_status(db, now=now)
    failures = failures_by_system(db, since=now - WINDOW)
    result = []
    for name in dict.fromkeys([*outbound_systems, *inbound_systems]):
        outbound = None
        if name in outbound_systems:
            outbound = outbound_figures(
                db,
                name,
                now=now,
                queues=[q for (system, _), q in queues.items() if system == name],
                failures=failures.get(name, 0),
            )
        inbound = (
            inbound_figures(db, name, now=now, window=WINDOW) if name in inbound_systems else None
        )
        result.append(
            IntegrationHealth(
                integration=name,
                taken_at=now,
                outbound=outbound,
                inbound=inbound,
                inbound_waiting=inbound.waiting if inbound else 0,
                findings=findings(outbound, inbound, thresholds, now=now),
            )
        )
    return result
