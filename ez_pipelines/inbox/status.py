"""How much of the inbox waits, per system: what the inbox sensor and health read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.tables import InboxEvent


@dataclass(frozen=True)
class InboxStatus:
    system: str
    received: int
    deferred: int
    newest_received_id: int


def inbox_status(db: Database) -> dict[str, InboxStatus]:
    with db.read() as session:
        rows = session.execute(
            select(InboxEvent.system, InboxEvent.status, func.count(), func.max(InboxEvent.id))
            .where(InboxEvent.status.in_(("received", "deferred")))
            .group_by(InboxEvent.system, InboxEvent.status)
        ).all()
    status: dict[str, dict[str, int]] = {}
    for system, state, count, newest in rows:
        entry = status.setdefault(system, {"received": 0, "deferred": 0, "newest": 0})
        entry[state] = int(count)
        if state == "received":
            entry["newest"] = int(newest)
    return {
        system: InboxStatus(system, v["received"], v["deferred"], v["newest"])
        for system, v in status.items()
    }


@dataclass(frozen=True)
class Unapplied:
    """What of one system's inbox is not applied: kept, never dropped, and worth a look."""

    unknown_types: dict[str, int]
    """Events of types we do not handle, by type."""
    deferred: int
    oldest_deferred_at: datetime | None
    """When the oldest event still waiting for something it needs was received."""


def unapplied(db: Database, system: str) -> Unapplied:
    with db.read() as session:
        unknown = session.execute(
            select(InboxEvent.event_type, func.count())
            .where(InboxEvent.system == system, InboxEvent.status == "unknown")
            .group_by(InboxEvent.event_type)
        ).all()
        deferred, oldest = session.execute(
            select(func.count(), func.min(InboxEvent.received_at)).where(
                InboxEvent.system == system, InboxEvent.status == "deferred"
            )
        ).one()
    return Unapplied(
        {str(event_type): int(count) for event_type, count in unknown},
        int(deferred),
        oldest,
    )
