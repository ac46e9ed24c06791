"""Inbound figures: events received, deliveries rejected or duplicated, and the newest one.

Received events are counted in the inbox itself (indexed on system and received_at). Rejected
and duplicate deliveries leave no inbox row, so the receiver tallies them per hour in the same
transaction as its insert, with one upsert that adds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.ops.metrics import aware_utc
from ez_pipelines.ops.tables import InboundTally

REJECTED = "rejected"
DUPLICATE = "duplicate"
_TABLE = cast(Table, InboundTally.__table__)
_KEY = ["system", "outcome", "hour"]
WAITING = ("received", "deferred")
"""Inbox statuses of events stored and not yet applied."""


def tally_delivery(session: Session, *, system: str, outcome: str, at: datetime) -> None:
    """Count one delivery of `system` that ended as `outcome` in the hour of `at`."""
    values: dict[str, Any] = {
        "system": system,
        "outcome": outcome,
        "hour": at.replace(minute=0, second=0, microsecond=0),
        "count": 1,
        "last_at": at,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(_TABLE) if dialect == "postgresql" else sqlite.insert(_TABLE)
    statement = insert.values(values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=_KEY,
            set_={"count": _TABLE.c.count + 1, "last_at": statement.excluded.last_at},
        )
    )


@dataclass(frozen=True)
class InboundFigures:
    system: str
    received: int
    rejected: int
    duplicate: int
    last_received_at: datetime | None
    """The newest event stored, however long ago."""
    waiting: int = 0
    """Events stored and not yet applied: new ones, and ones waiting for something."""
    oldest_waiting_at: datetime | None = None
    """When the oldest of the waiting events was received."""


def inbound_figures(
    db: Database, system: str, *, now: datetime, window: timedelta
) -> InboundFigures:
    """Counts over the `window` before `now`; the newest event whenever it came."""
    since = now - window
    with db.read() as session:
        received = session.scalar(
            select(func.count())
            .select_from(InboxEvent)
            .where(InboxEvent.system == system, InboxEvent.received_at >= since)
        )
        unprocessed = (InboxEvent.system == system) & InboxEvent.status.in_(WAITING)
        waiting, oldest_waiting = session.execute(
            select(func.count(), func.min(InboxEvent.received_at)).where(unprocessed)
        ).one()
        newest = session.scalar(
            select(func.max(InboxEvent.received_at)).where(InboxEvent.system == system)
        )
        tallies = dict(
            session.execute(
                select(InboundTally.outcome, func.sum(InboundTally.count))
                .where(
                    InboundTally.system == system,
                    InboundTally.hour >= since.replace(minute=0, second=0, microsecond=0),
                )
                .group_by(InboundTally.outcome)
            ).all()
        )
    return InboundFigures(
        system=system,
        received=int(received or 0),
        rejected=int(tallies.get(REJECTED) or 0),
        duplicate=int(tallies.get(DUPLICATE) or 0),
        last_received_at=aware_utc(newest),
        waiting=int(waiting or 0),
        oldest_waiting_at=aware_utc(oldest_waiting),
    )
