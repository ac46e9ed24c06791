"""Every integration's pulse: queue depth, error rate, sync lag and last success, per direction.

Outbound figures come from the outbox, inbound ones from the inbox and its tallies; each query
reads an index range (system, status, time) or a window of the last hour, so the cost follows
the recent traffic, not the size of the tables. The same thresholds turn the figures into a
colour here, on the page, in the checks and in the alerts.
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
from ez_pipelines.outbox.tables import DONE, OutboxAttempt, OutboxRow
from ez_pipelines.settings import HealthSettings
from ez_pipelines.vendors.registry import SYSTEMS

WINDOW = timedelta(hours=1)
GREEN, AMBER, RED = "green", "amber", "red"
NO_DEAD_LETTERS, ERROR_RATE, SYNC_LAG = "no_dead_letters", "error_rate", "sync_lag"
WEBHOOKS_REJECTED = "webhooks_rejected"
OUTBOUND_CHECKS = (NO_DEAD_LETTERS, ERROR_RATE, SYNC_LAG)
INBOUND_CHECKS = (WEBHOOKS_REJECTED,)
_RANK = {GREEN: 0, AMBER: 1, RED: 2}


@dataclass(frozen=True)
class Thresholds:
    lag_bound_s: float = 900.0
    error_rate_warn: float = 0.2
    error_rate_red: float = 0.5

    @classmethod
    def from_settings(cls, health: HealthSettings) -> Thresholds:
        return cls(health.lag_bound_s, health.error_rate_warn, health.error_rate_red)


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
class Finding:
    """A figure past its threshold: what the tile, the check and the alert say."""

    status: str
    check: str
    """The health check that judges this figure: no_dead_letters, error_rate, sync_lag, ..."""
    figure: str
    value: str
    threshold: str

    def sentence(self) -> str:
        return f"{self.figure} {self.value} (threshold {self.threshold})"


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
        return max((f.status for f in self.findings), key=_RANK.__getitem__, default=GREEN)

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


def findings(
    outbound: OutboundFigures | None,
    inbound: InboundFigures | None,
    thresholds: Thresholds,
    *,
    now: datetime,
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if outbound is not None:
        if outbound.dead_letters:
            found.append(
                Finding(RED, NO_DEAD_LETTERS, "dead letters", str(outbound.dead_letters), "0")
            )
        rate = outbound.error_rate
        if rate is not None and rate >= thresholds.error_rate_warn:
            red = rate >= thresholds.error_rate_red
            limit = thresholds.error_rate_red if red else thresholds.error_rate_warn
            found.append(
                Finding(
                    RED if red else AMBER,
                    ERROR_RATE,
                    "error rate in the last hour",
                    f"{rate:.0%}",
                    f"{limit:.0%}",
                )
            )
        bound = f"{thresholds.lag_bound_s:.0f} s"
        waited = outbound.oldest_wait_s(now)
        if waited is not None and waited > thresholds.lag_bound_s:
            found.append(
                Finding(AMBER, SYNC_LAG, "oldest unsynced change", f"{waited:.0f} s", bound)
            )
        if outbound.p95_lag_s is not None and outbound.p95_lag_s > thresholds.lag_bound_s:
            found.append(
                Finding(AMBER, SYNC_LAG, "p95 sync lag", f"{outbound.p95_lag_s:.0f} s", bound)
            )
    if inbound is not None and inbound.rejected:
        found.append(
            Finding(
                AMBER,
                WEBHOOKS_REJECTED,
                "webhooks rejected in the last hour",
                str(inbound.rejected),
                "0",
            )
        )
    return tuple(found)


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
