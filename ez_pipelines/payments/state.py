"""The payment state machine, as a join of facts: any arrival order ends in the same state.

Each event (or poll) contributes facts: amounts taken from the event's balances, which only ever
grow, and flags for outcomes (approved, declined, canceled, expired). Facts combine by taking the
larger amount and the union of flags, so combining is commutative, associative and idempotent:
duplicates change nothing, order changes nothing, and a late event can never move a payment
back. The status is read off the combined facts, never stored as a step of a sequence.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ez_pipelines.vendors.checkout.events import CheckoutEvent

REQUESTED = "requested"
PENDING = "pending"
AUTHORIZED = "authorized"
CAPTURED = "captured"
PARTIALLY_REFUNDED = "partially_refunded"
REFUNDED = "refunded"
DECLINED = "declined"
VOIDED = "voided"
CANCELED = "canceled"
EXPIRED = "expired"

# Statuses in which more can still happen without us asking: the ones polling watches.
UNSETTLED = frozenset({REQUESTED, PENDING, AUTHORIZED})


Action = tuple[str, int]
"""An action Checkout.com took on a payment: its id and amount."""


@dataclass(frozen=True)
class PaymentFacts:
    authorized: int = 0
    captured: int = 0
    refunded: int = 0
    voided: int = 0
    captures: frozenset[Action] = frozenset()
    refunds: frozenset[Action] = frozenset()
    known: bool = False
    """Checkout.com has the payment (any event or poll about it says so)."""
    approved: bool = False
    declined: bool = False
    canceled: bool = False
    expired: bool = False

    def join(self, other: PaymentFacts) -> PaymentFacts:
        values: dict[str, object] = {}
        for field in fields(self):
            mine, theirs = getattr(self, field.name), getattr(other, field.name)
            if isinstance(mine, frozenset):
                values[field.name] = mine | theirs
            elif isinstance(mine, bool):
                values[field.name] = mine or theirs
            else:
                values[field.name] = max(mine, theirs)
        return PaymentFacts(**values)  # type: ignore[arg-type]

    @property
    def total_captured(self) -> int:
        """The running total, or the sum of the distinct captures seen when that is larger (an
        event without balances carries only its own action's amount)."""
        return max(self.captured, sum(amount for _, amount in self.captures))

    @property
    def total_refunded(self) -> int:
        return max(self.refunded, sum(amount for _, amount in self.refunds))

    @property
    def status(self) -> str:
        """What the facts add up to. Captured money outranks every refusal: declined, voided,
        canceled and expired end only the part that was never captured."""
        captured, refunded = self.total_captured, self.total_refunded
        if refunded > 0:
            return REFUNDED if refunded >= captured else PARTIALLY_REFUNDED
        if captured > 0:
            return CAPTURED
        if self.declined:
            return DECLINED
        if self.voided > 0:
            return VOIDED
        if self.canceled:
            return CANCELED
        if self.expired:
            return EXPIRED
        if self.approved or self.authorized > 0:
            return AUTHORIZED
        return PENDING if self.known else REQUESTED


def facts_from_event(event: CheckoutEvent) -> PaymentFacts:
    """What one webhook event says about its payment. Balances, when the event has them, are the
    running totals after the action; without them an action's own amount is a lower bound."""
    amount = event.amount or 0
    totals = event.balances
    facts = PaymentFacts(known=True)
    if totals is not None:
        facts = facts.join(
            PaymentFacts(
                authorized=totals.total_authorized,
                captured=totals.total_captured,
                refunded=totals.total_refunded,
                voided=totals.total_voided,
            )
        )
    kind = event.type
    if kind in ("payment_approved", "payment_authorization_incremented"):
        return facts.join(PaymentFacts(authorized=amount, approved=True))
    action = frozenset({(event.action_id, amount)}) if event.action_id else frozenset()
    if kind == "payment_captured":
        captured = PaymentFacts(authorized=amount, captured=amount, captures=action, approved=True)
        return facts.join(captured)
    if kind == "payment_refunded":
        refunded = PaymentFacts(captured=amount, refunded=amount, refunds=action, approved=True)
        return facts.join(refunded)
    if kind == "payment_voided":
        return facts.join(PaymentFacts(authorized=amount, voided=amount, approved=True))
    if kind == "payment_declined":
        return facts.join(PaymentFacts(declined=True))
    if kind == "payment_canceled":
        return facts.join(PaymentFacts(canceled=True))
    if kind == "payment_expired":
        return facts.join(PaymentFacts(expired=True))
    return facts


def status_rank(status: str) -> int:
    """How far along a status is, for reports; terminal refusals rank with authorization."""
    order = [REQUESTED, PENDING, AUTHORIZED, CAPTURED, PARTIALLY_REFUNDED, REFUNDED]
    return order.index(status) if status in order else 2
