"""What a webhook or a poll tells us about a payment, and applying it to our record.

An observation is facts (see `state`) plus the provider's actions it names. Applying one joins
its facts with what the record already holds, so it is idempotent and order does not matter.
Every capture and refund action seen for the first time is recorded once and queued for
NetSuite; one seen again changes nothing. Captured money that now covers the booking's invoice
marks it paid, once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.finance.settlement import settle_invoice
from ez_pipelines.outbox.routes import enqueue_change
from ez_pipelines.payments.state import PaymentFacts, facts_from_event
from ez_pipelines.vendors.checkout.events import CheckoutEvent

CAPTURE = "capture"
REFUND = "refund"


@dataclass(frozen=True)
class ObservedAction:
    id: str
    kind: str  # capture | refund
    amount_minor: int
    processed_at: datetime | None


@dataclass(frozen=True)
class Applied:
    changed: bool
    """Anything we hold about the payment changed."""
    invoice_paid: bool = False
    """This observation is the one that marked the booking's invoice paid."""


@dataclass(frozen=True)
class Observation:
    facts: PaymentFacts
    actions: tuple[ObservedAction, ...] = ()
    provider_payment_id: str | None = None
    seen_at: datetime | None = None


def observation_from_event(event: CheckoutEvent) -> Observation:
    actions: tuple[ObservedAction, ...] = ()
    kinds = {"payment_captured": CAPTURE, "payment_refunded": REFUND}
    if event.type in kinds and event.action_id and event.amount:
        kind = kinds[event.type]
        actions = (ObservedAction(event.action_id, kind, event.amount, event.processed_on),)
    return Observation(
        facts=facts_from_event(event),
        actions=actions,
        provider_payment_id=event.payment_id,
        seen_at=event.occurred_at,
    )


def facts_of(payment: Payment, actions: list[PaymentAction]) -> PaymentFacts:
    """The facts our record holds, actions included (their sum can exceed a stale total)."""
    return PaymentFacts(
        authorized=payment.authorized_minor,
        captured=payment.captured_minor,
        refunded=payment.refunded_minor,
        voided=payment.voided_minor,
        captures=frozenset((a.id, a.amount_minor) for a in actions if a.kind == CAPTURE),
        refunds=frozenset((a.id, a.amount_minor) for a in actions if a.kind == REFUND),
        known=payment.known,
        approved=payment.approved,
        declined=payment.declined,
        canceled=payment.canceled,
        expired=payment.expired,
    )


def apply_observation(
    session: Session, payment: Payment, observation: Observation, *, now: datetime, polled: bool
) -> Applied:
    """Join the observation into the payment, and settle its booking's invoice if it is now
    covered."""
    actions = list(
        session.scalars(select(PaymentAction).where(PaymentAction.payment_id == payment.id))
    )
    seen = {action.id for action in actions}
    observed = replace(
        observation.facts,
        captures=observation.facts.captures
        | {(a.id, a.amount_minor) for a in observation.actions if a.kind == CAPTURE},
        refunds=observation.facts.refunds
        | {(a.id, a.amount_minor) for a in observation.actions if a.kind == REFUND},
    )
    before = facts_of(payment, actions)
    after = before.join(observed)

    new_actions = [a for a in observation.actions if a.id not in seen]
    for action in new_actions:
        session.add(
            PaymentAction(
                id=action.id,
                payment_id=payment.id,
                kind=action.kind,
                amount_minor=action.amount_minor,
                currency=payment.currency,
                processed_at=action.processed_at,
                recorded_at=now,
            )
        )
        seen.add(action.id)
    session.flush()
    for action in new_actions:
        enqueue_change(session, "payment_action", action.id, now)

    if payment.provider_payment_id is None and observation.provider_payment_id:
        payment.provider_payment_id = observation.provider_payment_id
    if observation.seen_at and (
        payment.last_event_at is None or observation.seen_at > payment.last_event_at
    ):
        payment.last_event_at = observation.seen_at
    if polled:
        payment.polled_at = now

    changed = bool(new_actions) or after != before
    if changed:
        _store_facts(payment, after)
        payment.updated_at = now
        if polled:
            payment.recovered_by_poll = True
    paid = False
    if changed and payment.booking_id is not None and payment.captured_minor > 0:
        session.flush()
        paid = settle_invoice(session, payment.booking_id, now=now)
    return Applied(changed, paid)


def _store_facts(payment: Payment, facts: PaymentFacts) -> None:
    payment.status = facts.status
    payment.authorized_minor = facts.authorized
    payment.captured_minor = facts.total_captured
    payment.refunded_minor = facts.total_refunded
    payment.voided_minor = facts.voided
    payment.known = facts.known
    payment.approved = facts.approved
    payment.declined = facts.declined
    payment.canceled = facts.canceled
    payment.expired = facts.expired
