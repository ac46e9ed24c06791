"""Turning stored Checkout.com events into payment state, in any order, never dropping one.

An event for a payment we cannot find yet (its webhook raced ahead of our record of the
provider's id, or of the payment itself) is kept as deferred and tried again on every pass.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.payments.observe import apply_observation, observation_from_event
from ez_pipelines.vendors.checkout.events import CheckoutEvent, MalformedEvent, parse_event

log = logging.getLogger(__name__)

SYSTEM = "checkout"
WAITING = ("received", "deferred")
BATCH = 200


@dataclass
class ProcessReport:
    processed: int = 0
    changed: int = 0
    deferred: int = 0
    failed: int = 0
    invoices_paid: int = 0

    def add(self, other: ProcessReport) -> None:
        self.processed += other.processed
        self.changed += other.changed
        self.deferred += other.deferred
        self.failed += other.failed
        self.invoices_paid += other.invoices_paid


def find_payment(session: Session, event: CheckoutEvent) -> Payment | None:
    """Our payment the event is about: by the provider's id, or by our reference."""
    if event.payment_id:
        payment = session.scalars(
            select(Payment).where(
                Payment.provider == SYSTEM, Payment.provider_payment_id == event.payment_id
            )
        ).one_or_none()
        if payment is not None:
            return payment
    if event.reference:
        payment = session.get(Payment, event.reference)
        if payment is not None and payment.provider_payment_id in (None, event.payment_id):
            return payment
    return None


def process_events(db: Database, *, now: datetime, max_batches: int = 100) -> ProcessReport:
    """Apply every waiting event, oldest first, a batch per transaction."""
    total = ProcessReport()
    last_id = 0
    for _ in range(max_batches):
        report, last_id = _process_batch(db, after_id=last_id, now=now)
        total.add(report)
        if report.processed + report.deferred + report.failed < BATCH:
            break
    log.info(
        "checkout events processed=%d changed=%d deferred=%d failed=%d",
        total.processed,
        total.changed,
        total.deferred,
        total.failed,
    )
    return total


def _process_batch(db: Database, *, after_id: int, now: datetime) -> tuple[ProcessReport, int]:
    report = ProcessReport()
    query = (
        select(InboxEvent)
        .where(
            InboxEvent.system == SYSTEM, InboxEvent.status.in_(WAITING), InboxEvent.id > after_id
        )
        .order_by(InboxEvent.id)
        .limit(BATCH)
    )
    if not db.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    last_id = after_id
    with db.write() as session:
        for row in session.scalars(query):
            last_id = row.id
            row.attempts += 1
            try:
                event = parse_event(row.body)
            except MalformedEvent as err:
                row.status, row.error = "failed", str(err)[:500]
                report.failed += 1
                continue
            payment = find_payment(session, event)
            if payment is None:
                row.status = "deferred"
                report.deferred += 1
                continue
            observation = observation_from_event(event)
            applied = apply_observation(session, payment, observation, now=now, polled=False)
            report.changed += applied.changed
            report.invoices_paid += applied.invoice_paid
            row.status, row.processed_at, row.error = "processed", now, None
            report.processed += 1
    return report, last_id
