"""Health over time: each run of the health asset keeps a sample per integration and direction,
so the page can chart a day of queue depth and lag, and older samples are let go."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.health import IntegrationHealth
from ez_pipelines.ops.tables import HealthSample

KEEP = timedelta(days=8)


@dataclass(frozen=True)
class Sample:
    taken_at: datetime
    integration: str
    status: str
    queue_depth: int
    dead_letters: int
    error_rate: float | None
    p95_lag_s: float | None


def record_samples(db: Database, healths: Iterable[IntegrationHealth]) -> int:
    """Store one sample per integration; returns how many."""
    rows = [
        HealthSample(
            taken_at=h.taken_at,
            integration=h.integration,
            direction=h.directions,
            status=h.status,
            queue_depth=h.queue_depth,
            dead_letters=h.dead_letters,
            error_rate=h.error_rate,
            p95_lag_s=h.p95_lag_s,
        )
        for h in healths
    ]
    if not rows:
        return 0
    with db.write() as session:
        session.add_all(rows)
        session.execute(delete(HealthSample).where(HealthSample.taken_at < rows[0].taken_at - KEEP))
    return len(rows)


def samples_since(db: Database, since: datetime) -> dict[str, list[Sample]]:
    """Samples taken at or after `since`, oldest first, by integration."""
    with db.read() as session:
        rows = session.scalars(
            select(HealthSample)
            .where(HealthSample.taken_at >= since)
            .order_by(HealthSample.taken_at, HealthSample.id)
        ).all()
    by_integration: dict[str, list[Sample]] = {}
    for row in rows:
        by_integration.setdefault(row.integration, []).append(
            Sample(
                row.taken_at,
                row.integration,
                row.status,
                row.queue_depth,
                row.dead_letters,
                row.error_rate,
                row.p95_lag_s,
            )
        )
    return by_integration
