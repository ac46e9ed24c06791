"""Recording inbound events: one row per (system, event id), whoever delivers it first."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from ez_pipelines.inbox.tables import InboxEvent

# `unknown` holds events of a type no processor reads yet: kept so nothing is lost, and listed
# so a person can decide whether to teach the platform about them.
STATUSES = frozenset({"received", "processed", "deferred", "failed", "unknown"})
_KEY = ["system", "event_id"]
_TABLE = cast(Table, InboxEvent.__table__)
# Built once, with the values bound at execution: the receiver runs this hundreds of times a
# second, and a statement rebuilt per call costs more than the insert itself.
_INSERT_UNLESS_STORED: dict[str, Insert] = {
    "postgresql": postgresql.insert(_TABLE).on_conflict_do_nothing(index_elements=_KEY),
    "sqlite": sqlite.insert(_TABLE).on_conflict_do_nothing(index_elements=_KEY),
}


def record_event(
    session: Session,
    *,
    system: str,
    event_id: str,
    event_type: str,
    occurred_at: datetime | None,
    body: bytes,
    received_at: datetime,
    status: str,
) -> bool:
    """Store the event unless (system, event_id) is already stored; True when this call stored it.

    One INSERT ... ON CONFLICT DO NOTHING: two deliveries racing each other are decided by the
    unique constraint, never by a read that both of them could pass. A duplicate changes nothing,
    not even the time it was received.
    """
    if status not in STATUSES:
        raise ValueError(f"inbox status {status!r} is not one of {sorted(STATUSES)}")
    values: dict[str, Any] = {
        "system": system,
        "event_id": event_id,
        "event_type": event_type,
        "occurred_at": occurred_at,
        "received_at": received_at,
        "body": body,
        "status": status,
        "attempts": 0,
    }
    dialect = session.get_bind().dialect.name
    statement = _INSERT_UNLESS_STORED.get(dialect)
    if statement is None:
        raise NotImplementedError(f"the inbox supports SQLite and PostgreSQL, not {dialect}")
    result = session.execute(statement, values)
    # Both drivers count the rows the statement inserted: 0 when the conflict skipped it.
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
