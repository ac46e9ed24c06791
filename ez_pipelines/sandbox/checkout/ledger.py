"""The payments a Checkout.com stand-in holds: actions, balances, status, and what changes them.

Every processed action is kept in order; balances and status are derived from them, never stored
apart, so they cannot disagree. An action that Checkout.com processes later than the request
that asked for it (the capture that follows `capture: true`, a pending step) waits in
`scheduled` until `settle()` finds it due. Each change calls `emit` with the webhook event type
it produces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ez_pipelines.clock import Clock
from ez_pipelines.sandbox.checkout.ids import IdSource
from ez_pipelines.sandbox.checkout.validation import ActionRequest, PaymentRequest

APPROVED = ("10000", "Approved")
# Test cards that Checkout.com declines answer 20005 (https://www.checkout.com/docs/testing).
DO_NOT_HONOUR = ("20005", "Declined - Do Not Honour")


class Refused(Exception):
    """A request the payment's state does not allow: 403 without a body, or 422 with codes."""

    def __init__(self, status: int, codes: tuple[str, ...] = ()) -> None:
        super().__init__(f"{status} {' '.join(codes)}".strip())
        self.status = status
        self.codes = codes


@dataclass
class Action:
    id: str
    type: str  # Authorization, Capture, Refund or Void
    amount: int
    reference: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    approved: bool = True
    due: float = 0.0
    """When a scheduled action is processed, on the clock's monotonic scale."""
    automatic: bool = False
    """The capture that `capture: true` asked for: it takes whatever is left when it is due."""
    processed_on: datetime | None = None

    @property
    def response(self) -> tuple[str, str]:
        return APPROVED if self.approved else DO_NOT_HONOUR


@dataclass
class Payment:
    id: str
    request: PaymentRequest
    source_id: str
    requested_on: datetime
    actions: list[Action] = field(default_factory=list)
    scheduled: list[Action] = field(default_factory=list)

    def total(self, kind: str) -> int:
        return sum(a.amount for a in self.actions if a.type == kind and a.approved)

    def reserved(self, kind: str) -> int:
        return sum(a.amount for a in self.scheduled if a.type == kind and not a.automatic)

    @property
    def authorization(self) -> Action | None:
        return next((a for a in self.actions if a.type == "Authorization"), None)

    def balances(self) -> dict[str, int]:
        authorized, captured = self.total("Authorization"), self.total("Capture")
        voided, refunded = self.total("Void"), self.total("Refund")
        to_capture = max(authorized - captured - voided - self.reserved("Capture"), 0)
        # Only a payment with nothing captured can be voided; the void releases it all.
        to_void = authorized - voided if captured == 0 and voided == 0 else 0
        return {
            "total_authorized": authorized,
            "total_voided": voided,
            "available_to_void": to_void,
            "total_captured": captured,
            "available_to_capture": to_capture,
            "total_refunded": refunded,
            "available_to_refund": max(captured - refunded - self.reserved("Refund"), 0),
        }

    @property
    def status(self) -> str:
        authorization = self.authorization
        if authorization is None:
            return "Pending"
        if not authorization.approved:
            return "Declined"
        authorized, captured = self.total("Authorization"), self.total("Capture")
        refunded = self.total("Refund")
        if self.total("Void"):
            return "Voided"
        if refunded:
            return "Refunded" if refunded >= captured else "Partially Refunded"
        if captured:
            return "Captured" if captured >= authorized else "Partially Captured"
        return "Authorized"

    @property
    def approved(self) -> bool:
        authorization = self.authorization
        return authorization is not None and authorization.approved


Emit = Callable[[str, Payment, Action | None], None]


class Ledger:
    def __init__(self, ids: IdSource, clock: Clock, emit: Emit) -> None:
        self.ids = ids
        self.clock = clock
        self.emit = emit
        self.payments: dict[str, Payment] = {}

    def create(
        self, request: PaymentRequest, *, pending_s: float | None, capture_after_s: float
    ) -> tuple[Payment, Action | None]:
        """A new payment, authorized now, or later when `pending_s` is given."""
        source_id = request.source.get("id") or self.ids.new("src")
        payment = Payment(self.ids.new("pay"), request, source_id, self.clock.now())
        self.payments[payment.id] = payment
        authorization = Action(self.ids.new("act"), "Authorization", request.amount)
        authorization.reference = request.reference
        authorization.approved = "decline" not in request.source_ref
        if pending_s is not None:
            self._schedule(payment, authorization, pending_s)
            self.emit("payment_pending", payment, None)
            return payment, None
        self._process(payment, authorization)
        if authorization.approved and request.capture:
            self._auto_capture(payment, capture_after_s)
        return payment, authorization

    def capture(self, payment: Payment, ask: ActionRequest, *, pending_s: float | None) -> Action:
        if not payment.approved or payment.status not in ("Authorized", "Partially Captured"):
            raise Refused(403)
        available = payment.balances()["available_to_capture"]
        if available == 0:
            raise Refused(403)
        amount = available if ask.amount is None else ask.amount
        if amount > available:
            raise Refused(422, ("capture_amount_exceeds_balance",))
        # TODO(a flow that captures part and releases the rest): honour `capture_type: Final`.
        capture = Action(self.ids.new("act"), "Capture", amount, ask.reference, ask.metadata)
        return self._process_or_schedule(payment, capture, pending_s, "payment_capture_pending")

    def refund(self, payment: Payment, ask: ActionRequest, *, pending_s: float | None) -> Action:
        available = payment.balances()["available_to_refund"]
        if available == 0:
            raise Refused(403)
        amount = available if ask.amount is None else ask.amount
        if amount > available:
            raise Refused(422, ("refund_amount_exceeds_balance",))
        refund = Action(self.ids.new("act"), "Refund", amount, ask.reference, ask.metadata)
        return self._process_or_schedule(payment, refund, pending_s, "payment_refund_pending")

    def void(self, payment: Payment, ask: ActionRequest) -> Action:
        available = payment.balances()["available_to_void"]
        if payment.status != "Authorized" or available == 0:
            raise Refused(403)
        # A void releases the authorization, so the capture that was to follow never happens.
        payment.scheduled = [a for a in payment.scheduled if a.type != "Capture"]
        void = Action(self.ids.new("act"), "Void", available, ask.reference, ask.metadata)
        self._process(payment, void)
        return void

    def settle(self) -> float | None:
        """Process every scheduled action now due; returns seconds until the next one is."""
        now = self.clock.monotonic()
        due = sorted(
            ((a.due, p.id, a) for p in self.payments.values() for a in p.scheduled if a.due <= now),
            key=lambda item: item[0],
        )
        for _, payment_id, action in due:
            payment = self.payments[payment_id]
            payment.scheduled.remove(action)
            if action.automatic:
                # Captures asked for meanwhile leave less, or nothing, for the automatic one.
                action.amount = payment.balances()["available_to_capture"]
                if action.amount == 0:
                    continue
            self._process(payment, action)
            if action.type == "Authorization" and action.approved and payment.request.capture:
                self._auto_capture(payment, 0.0)
        waits = [a.due - now for p in self.payments.values() for a in p.scheduled]
        return max(min(waits), 0.0) if waits else None

    def _auto_capture(self, payment: Payment, after_s: float) -> None:
        capture = Action(self.ids.new("act"), "Capture", payment.request.amount, automatic=True)
        self._schedule(payment, capture, after_s)

    def _process_or_schedule(
        self, payment: Payment, action: Action, pending_s: float | None, pending_event: str
    ) -> Action:
        if pending_s is None:
            self._process(payment, action)
        else:
            self._schedule(payment, action, pending_s)
            self.emit(pending_event, payment, action)
        return action

    def _schedule(self, payment: Payment, action: Action, after_s: float) -> None:
        action.due = self.clock.monotonic() + after_s
        action.processed_on = self.clock.now()
        payment.scheduled.append(action)

    def _process(self, payment: Payment, action: Action) -> None:
        action.processed_on = self.clock.now()
        payment.actions.append(action)
        self.emit(_EVENT_OF[action.type, action.approved], payment, action)


_EVENT_OF = {
    ("Authorization", True): "payment_approved",
    ("Authorization", False): "payment_declined",
    ("Capture", True): "payment_captured",
    ("Refund", True): "payment_refunded",
    ("Void", True): "payment_voided",
}
