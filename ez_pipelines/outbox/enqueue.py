"""Adding work to the outbox, inside the caller's transaction, coalescing with work already due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from ez_pipelines.outbox.tables import OutboxRow

_OPEN = text("status = 'pending'")
_KEY = ["system", "entity", "record_id"]


def enqueue(session: Session, *, system: str, entity: str, record_id: str, now: datetime) -> None:
    """Queue `record_id` for `system`, or fold this change into the row already open for it.

    Runs in the caller's transaction, so the row exists exactly when the change commits. Folding
    bumps `change_seq`, which tells a worker holding the row that it must send again; the row's
    retry time stays, so a vendor that asked us to wait is still left alone until then. The fold
    is one atomic statement (insert, or update on the open row's unique index), never a read
    followed by a write.
    """
    values: dict[str, Any] = {
        "system": system,
        "entity": entity,
        "record_id": record_id,
        "status": "pending",
        "change_seq": 1,
        "enqueued_at": now,
        "budget_started_at": now,
        "budget_offset": 0,
        "changed_at": now,
        "next_attempt_at": now,
        "attempts": 0,
        "lease_token": 0,
    }
    coalesce = {"change_seq": OutboxRow.change_seq + 1, "changed_at": now}
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = (
            postgresql.insert(OutboxRow)
            .values(**values)
            .on_conflict_do_update(index_elements=_KEY, index_where=_OPEN, set_=coalesce)
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(OutboxRow)
            .values(**values)
            .on_conflict_do_update(index_elements=_KEY, index_where=_OPEN, set_=coalesce)
        )
    else:
        raise NotImplementedError(f"the outbox supports SQLite and PostgreSQL, not {dialect}")
    session.execute(statement)
