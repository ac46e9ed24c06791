"""How much of the inbox waits, per system: what the inbox sensor and health read."""

from __future__ import annotations

from dataclasses import dataclass

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
