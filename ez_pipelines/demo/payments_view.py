"""The demo's payments figures: what was captured and refunded, how webhooks behaved, what the
polling fallback recovered, and what reconciliation found."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.inbox.tables import InboxEvent


def payments_summary(
    db: Database, *, acknowledged_deliveries: int, reconciliation_gaps: int
) -> dict[str, Any]:
    """`acknowledged_deliveries` is how many deliveries our receiver answered 2xx, as the
    sender logged them; every one beyond the events stored was a duplicate."""
    with db.read() as session:
        captured = session.scalar(select(func.count()).where(Payment.captured_minor > 0))
        refunded = session.scalar(select(func.count()).where(Payment.refunded_minor > 0))
        recovered = session.scalar(select(func.count()).where(Payment.recovered_by_poll))
        declined = session.scalar(select(func.count()).where(Payment.declined))
        stored = session.scalar(
            select(func.count()).select_from(InboxEvent).where(InboxEvent.system == "checkout")
        )
    return {
        "captured": int(captured or 0),
        "refunded": int(refunded or 0),
        "declined": int(declined or 0),
        "webhooks_received": acknowledged_deliveries,
        "webhooks_duplicate": acknowledged_deliveries - int(stored or 0),
        "events_stored": int(stored or 0),
        "recovered_by_polling": int(recovered or 0),
        "reconciliation_gaps": reconciliation_gaps,
    }
