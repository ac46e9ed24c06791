"""The payments of a scenario: one for each booking taken, and a refund for each early return.

A booking is paid its rental with VAT, what its invoice comes to when it is taken, so the
invoice ends paid.

Derived from the scenario alone, like the rest of it. A few customers' cards on file are ones
Checkout.com declines, so the demo shows declines flowing through too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.payments import PaymentInput, request_payment, request_refund
from ez_pipelines.finance.invoicing import vat_of
from ez_pipelines.sandbox.scenario_model import Scenario

DECLINE_SHARE = 0.03
VAT_RATE_BP = 500
DAY_S = 86400


@dataclass(frozen=True)
class RefundPlan:
    id: str
    payment_id: str
    amount_minor: int
    reason: str


@dataclass(frozen=True)
class PaymentPlan:
    payments: tuple[PaymentInput, ...]
    refunds: tuple[RefundPlan, ...]


def declined(payment: PaymentInput) -> bool:
    return "decline" in payment.source_ref


def plan_payments(scenario: Scenario, phase: int) -> PaymentPlan:
    """Phase `phase`'s payments (its bookings not canceled) and refunds (its early returns of
    bookings whose card was not declined): the unused whole days, at the booked daily rate."""
    paid = {
        payment.booking_id: payment
        for earlier in range(1, phase + 1)
        for payment in _payments(scenario, earlier)
        if not declined(payment)
    }
    return PaymentPlan(_payments(scenario, phase), _refunds(scenario, phase, paid))


def apply_payments(db: Database, plan: PaymentPlan, *, now: datetime) -> tuple[int, int]:
    """Ask for the plan's payments and refunds; returns how many of each were new."""
    payments = refunds = 0
    with db.write() as session:
        for payment in plan.payments:
            payments += request_payment(session, payment, now=now).value == "created"
        for refund in plan.refunds:
            created = request_refund(
                session,
                refund_id=refund.id,
                payment_id=refund.payment_id,
                amount_minor=refund.amount_minor,
                reason=refund.reason,
                now=now,
            )
            refunds += created.value == "created"
    return payments, refunds


def _payments(scenario: Scenario, phase: int) -> tuple[PaymentInput, ...]:
    rng = random.Random(f"{scenario.seed}-payments-{phase}")
    canceled = {b.id for part in scenario.phases for b in part.cancellations}
    payments = []
    for booking in scenario.phase(phase).bookings:
        if booking.id in canceled or booking.status == "canceled":
            continue
        card = "src_decline_" if rng.random() < DECLINE_SHARE else "src_"
        payments.append(
            PaymentInput(
                id=f"P-{booking.id}",
                booking_id=booking.id,
                amount_minor=booking.rental_amount_minor
                + vat_of(booking.rental_amount_minor, VAT_RATE_BP),
                currency=booking.currency,
                # Checkout.com's source ids are `src_` and word characters only.
                source_ref=card + booking.customer_id.lower().replace("-", ""),
            )
        )
    return tuple(payments)


def _refunds(
    scenario: Scenario, phase: int, paid: dict[str, PaymentInput]
) -> tuple[RefundPlan, ...]:
    bookings = {b.id: b for part in scenario.phases for b in part.bookings}
    refunds = []
    for returned in scenario.phase(phase).returns:
        booking = bookings.get(returned.booking_id)
        payment = paid.get(returned.booking_id)
        if booking is None or payment is None or returned.returned_at >= booking.return_due_at:
            continue
        booked_s = (booking.return_due_at - booking.pickup_at).total_seconds()
        booked_days = max(1, round(booked_s / DAY_S))
        unused_days = int((booking.return_due_at - returned.returned_at).total_seconds() // DAY_S)
        amount = booking.rental_amount_minor * unused_days // booked_days
        if amount > 0:
            refunds.append(RefundPlan(f"R-{booking.id}", payment.id, amount, "returned early"))
    return tuple(refunds)
