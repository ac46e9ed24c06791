"""The polling fallback: ask Checkout.com about payments whose webhooks have gone quiet.

A webhook can be lost for good. Every unsettled payment that has not changed for `poll_after_s`
is looked up (`GET /payments/{id}` and its actions), and so is every payment whose captured or
refunded money is not all accounted for by actions we have seen; what Checkout.com says goes
through the same join as a webhook would, so a poll and a late webhook can arrive in either order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef, Payment, PaymentAction, RefundRequest
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.payments.observe import (
    CAPTURE,
    REFUND,
    Observation,
    ObservedAction,
    apply_observation,
)
from ez_pipelines.payments.state import UNSETTLED, PaymentFacts
from ez_pipelines.vendors.checkout.errors import PaymentNotFound
from ez_pipelines.vendors.checkout.models import PaymentActionDetails, PaymentDetails

log = logging.getLogger(__name__)

ACTION_KINDS = {"Capture": CAPTURE, "Refund": REFUND}


class PaymentLookup(Protocol):
    def get_payment(self, payment_id: str) -> PaymentDetails: ...

    def get_actions(self, payment_id: str) -> list[PaymentActionDetails]: ...


@dataclass
class PollReport:
    polled: int = 0
    changed: int = 0
    not_at_provider: int = 0
    failed: int = 0
    invoices_paid: int = 0


def observation_from_poll(
    details: PaymentDetails, actions: list[PaymentActionDetails]
) -> Observation:
    totals = details.balances
    facts = PaymentFacts(
        authorized=totals.total_authorized,
        captured=totals.total_captured,
        refunded=totals.total_refunded,
        voided=totals.total_voided,
        known=True,
        approved=details.approved,
        declined=details.status == "Declined",
        canceled=details.status == "Canceled",
        expired=details.status == "Expired",
    )
    observed = tuple(
        ObservedAction(action.id, ACTION_KINDS[action.type], action.amount, action.processed_on)
        for action in actions
        if action.approved and action.type in ACTION_KINDS
    )
    return Observation(facts=facts, actions=observed, provider_payment_id=details.id)


def due_for_poll(session: Session, *, now: datetime, poll_after_s: float) -> list[tuple[str, str]]:
    """(our id, provider id) of the payments to ask about: unsettled, with a refund we asked
    for and have not seen, or with money captured or refunded whose actions we have not all seen,
    and quiet for `poll_after_s` since their last change and last poll.

    The last case is a lost `payment_captured` (or `payment_refunded`) followed by an event whose
    balances carry its amount: the totals are right, so the payment looks settled, but NetSuite
    records actions, and the lost one would never reach it without a poll."""
    quiet_since = now - timedelta(seconds=poll_after_s)
    asked = (
        select(RefundRequest.payment_id, func.sum(RefundRequest.amount_minor).label("asked"))
        .group_by(RefundRequest.payment_id)
        .subquery()
    )
    amount = PaymentAction.amount_minor
    seen = (
        select(
            PaymentAction.payment_id,
            func.sum(case((PaymentAction.kind == CAPTURE, amount), else_=0)).label("captured"),
            func.sum(case((PaymentAction.kind == REFUND, amount), else_=0)).label("refunded"),
        )
        .group_by(PaymentAction.payment_id)
        .subquery()
    )
    rows = session.execute(
        select(Payment.id, Payment.provider_payment_id, ExternalRef.vendor_id)
        .outerjoin(asked, asked.c.payment_id == Payment.id)
        .outerjoin(seen, seen.c.payment_id == Payment.id)
        .outerjoin(
            ExternalRef,
            (ExternalRef.record_type == "payment")
            & (ExternalRef.record_id == Payment.id)
            & (ExternalRef.system == "checkout"),
        )
        .where(
            or_(
                Payment.status.in_(UNSETTLED),
                asked.c.asked > Payment.refunded_minor,
                Payment.captured_minor > func.coalesce(seen.c.captured, 0),
                Payment.refunded_minor > func.coalesce(seen.c.refunded, 0),
            ),
            Payment.updated_at <= quiet_since,
            or_(Payment.polled_at.is_(None), Payment.polled_at <= quiet_since),
        )
        .order_by(Payment.updated_at)
    ).all()
    return [(pid, provider or ref) for pid, provider, ref in rows if provider or ref]


def poll_payments(
    db: Database, lookup: PaymentLookup, *, now: datetime, poll_after_s: float
) -> PollReport:
    report = PollReport()
    with db.read() as session:
        due = due_for_poll(session, now=now, poll_after_s=poll_after_s)
    for payment_id, provider_id in due:
        try:
            details = lookup.get_payment(provider_id)
            actions = lookup.get_actions(provider_id)
        except PaymentNotFound:
            report.not_at_provider += 1
            log.warning("payment %s (%s) is unknown at checkout", payment_id, provider_id)
            continue
        except SyncError as err:
            report.failed += 1
            log.warning("polling payment %s failed: %s", payment_id, type(err).__name__)
            continue
        observation = observation_from_poll(details, actions)
        with db.write() as session:
            payment = session.get(Payment, payment_id)
            if payment is None:
                continue
            applied = apply_observation(session, payment, observation, now=now, polled=True)
            report.changed += applied.changed
            report.invoices_paid += applied.invoice_paid
        report.polled += 1
    log.info(
        "checkout poll polled=%d changed=%d not_at_provider=%d failed=%d",
        report.polled,
        report.changed,
        report.not_at_provider,
        report.failed,
    )
    return report
