"""Which outside systems receive which of our entities. Adding a projection starts here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ez_pipelines.outbox.enqueue import enqueue

ROUTES: dict[str, tuple[str, ...]] = {
    "customer": ("netsuite", "hubspot"),
    "payment": ("checkout",),
    "refund": ("checkout",),
    # Each capture and refund Checkout.com made is recorded in NetSuite once.
    "payment_action": ("netsuite",),
    # A unified lead; the channel records it is made of never leave on their own.
    "lead": ("hubspot",),
    # Finance's documents: one invoice per booking, its credit notes, each day's journals.
    "invoice": ("netsuite",),
    "credit_note": ("netsuite",),
    "revenue_journal": ("netsuite",),
}


def enqueue_change(session: Session, entity: str, record_id: str, now: datetime) -> None:
    """Queue a changed record for every system that holds a projection of it."""
    for system in ROUTES.get(entity, ()):
        enqueue(session, system=system, entity=entity, record_id=record_id, now=now)
