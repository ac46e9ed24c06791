"""Payments and refunds to Checkout.com: the two projections the outbox drives.

Neither is an upsert: a payment or a refund, once made, is never made again. What makes a retry
safe is the idempotency key derived from our id (see `idempotency`), which Checkout.com answers
with the first request's outcome, and, once we know Checkout.com holds the record, not sending
it at all.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Booking, Customer, ExternalRef, Payment, RefundRequest
from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.outbox.errors import Permanent, Retryable, SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed
from ez_pipelines.vendors.checkout import contract_v1
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.checkout.idempotency import idempotency_key, key_may_be_forgotten
from ez_pipelines.vendors.checkout.models import PaymentRequest

log = logging.getLogger(__name__)

SYSTEM = "checkout"
# Requests of one push in flight at once; the client's limiter paces them further.
PUSH_WORKERS = 8

Result = Pushed | SyncError


class PaymentNotAtCheckoutYet(Retryable):
    """A refund of a payment Checkout.com has not been asked for (or not confirmed) yet: it
    waits for the payment's own sync instead of becoming a dead letter."""


class CheckoutPayments:
    """Each payment of ours becomes one Checkout.com payment whose reference is our id."""

    system = SYSTEM
    entity = "payment"
    contract_version = contract_v1.CONTRACT_VERSION

    def __init__(
        self, client: CheckoutClient, *, workers: int = PUSH_WORKERS, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.client = client
        self.workers = workers
        self.clock = clock
        # Checkout.com's ids of payments it is known to hold, learnt by `build` from webhooks
        # and polls (matched by reference) before our own request was answered. Knowledge
        # only grows, so sharing this between batches needs a lock but no ordering.
        self._held: dict[str, str] = {}
        self._lock = threading.Lock()

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        payments = list(session.scalars(select(Payment).where(Payment.id.in_(record_ids))))
        booking_ids = {p.booking_id for p in payments if p.booking_id}
        bookings = {
            b.id: b for b in session.scalars(select(Booking).where(Booking.id.in_(booking_ids)))
        }
        customer_ids = {b.customer_id for b in bookings.values()}
        customers = {
            c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))
        }
        payloads: dict[str, Payload] = {}
        for payment in payments:
            booking = bookings.get(payment.booking_id or "")
            customer = customers.get(booking.customer_id) if booking else None
            payloads[payment.id] = contract_v1.payment_request(payment, booking, customer)
            if payment.provider_payment_id:
                with self._lock:
                    self._held[payment.id] = payment.provider_payment_id
        return payloads

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Result]:
        results = _concurrently(items, self._push_one, self.workers, "checkout-payment")
        _log_push(self.entity, results)
        return results

    def _push_one(self, item: Outbound) -> Result:
        key = idempotency_key("payment", item.record_id)
        with self._lock:
            learnt = self._held.pop(item.record_id, None)
        held = item.vendor_id or learnt
        if held is not None:
            # Asking again could charge the card twice once the key has expired (24 h).
            return Pushed(held, "linked", vendor_key=key)
        if "source" not in item.payload:
            return Permanent(
                f"checkout payment {item.record_id}: no card on file (source_ref) to charge; "
                "record the customer's card, then retry this dead letter"
            )
        if key_may_be_forgotten(
            item.tried_since, now=self.clock.now(), lifetime_s=self.client.settings.key_lifetime_s
        ):
            return _forgotten("payment", item)
        # The payload is the contract's PaymentRequest, stored and read back as JSON.
        answer = self.client.request_payment(
            cast(PaymentRequest, dict(item.payload)), idempotency_key=key
        )
        if answer.declined:
            log.info("checkout payment record=%s id=%s declined", item.record_id, answer.id)
        return Pushed(answer.id, "created", vendor_key=key)


class CheckoutRefunds:
    """Each refund of ours becomes one refund action on its payment at Checkout.com."""

    system = SYSTEM
    entity = "refund"
    contract_version = contract_v1.CONTRACT_VERSION

    def __init__(
        self, client: CheckoutClient, *, workers: int = PUSH_WORKERS, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.client = client
        self.workers = workers
        self.clock = clock

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        refunds = list(
            session.scalars(select(RefundRequest).where(RefundRequest.id.in_(record_ids)))
        )
        provider_ids = _provider_payment_ids(session, {r.payment_id for r in refunds})
        return {
            refund.id: contract_v1.refund_request(refund, provider_ids.get(refund.payment_id))
            for refund in refunds
        }

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Result]:
        results = _concurrently(items, self._push_one, self.workers, "checkout-refund")
        _log_push(self.entity, results)
        return results

    def _push_one(self, item: Outbound) -> Result:
        key = idempotency_key("refund", item.record_id)
        if item.vendor_id is not None:
            # Checkout.com made this refund already; a second request would refund twice.
            return Pushed(item.vendor_id, "linked", vendor_key=key)
        payment_id = item.payload.get("payment_id")
        if not payment_id:
            return PaymentNotAtCheckoutYet(
                f"checkout refund {item.record_id}: payment not at Checkout.com yet"
            )
        if key_may_be_forgotten(
            item.tried_since, now=self.clock.now(), lifetime_s=self.client.settings.key_lifetime_s
        ):
            return _forgotten("refund", item)
        body: Mapping[str, Any] = item.payload["body"]
        answer = self.client.refund(
            str(payment_id),
            amount=body.get("amount"),
            reference=str(body["reference"]),
            idempotency_key=key,
        )
        return Pushed(answer.action_id, "created", vendor_key=key)


_VERBS = {"payment": "charge", "refund": "refund"}


def _forgotten(kind: str, item: Outbound) -> Permanent:
    """An earlier attempt timed out, and Checkout.com may have acted on it and forgotten its
    idempotency key since: asking again could charge or refund twice, so a person decides."""
    record, since = item.record_id, f"{item.tried_since:%Y-%m-%d %H:%M} UTC"
    return Permanent(
        f"checkout {kind} {record}: first tried at {since} without an answer, and Checkout.com "
        f"may have forgotten its idempotency key since, so asking again could {_VERBS[kind]} "
        f"twice. Look for a {kind} with reference {record} at Checkout.com; retry this dead "
        "letter only if there is none"
    )


def _provider_payment_ids(session: Session, payment_ids: set[str]) -> dict[str, str]:
    """Checkout.com's id of each payment: from its events and polls, or, before any arrived,
    from the answer to our own request."""
    if not payment_ids:
        return {}
    refs = session.execute(
        select(ExternalRef.record_id, ExternalRef.vendor_id).where(
            ExternalRef.record_type == "payment",
            ExternalRef.system == SYSTEM,
            ExternalRef.record_id.in_(payment_ids),
        )
    )
    known = {payment_id: vendor_id for payment_id, vendor_id in refs}
    payments = session.execute(
        select(Payment.id, Payment.provider_payment_id).where(Payment.id.in_(payment_ids))
    )
    for payment_id, provider_id in payments:
        if provider_id:
            known[payment_id] = provider_id
    return known


def _concurrently(
    items: Sequence[Outbound],
    push_one: Callable[[Outbound], Result],
    workers: int,
    name: str,
) -> dict[str, Result]:
    if not items:
        return {}

    def guarded(item: Outbound) -> Result:
        try:
            return push_one(item)
        except SyncError as err:
            return err
        except Exception as err:
            # A bug of ours must not take the rest of the batch with it; the row keeps the
            # exception's type for a person, and the traceback goes to the log.
            log.exception(
                "unexpected %s pushing %s record=%s", type(err).__name__, name, item.record_id
            )
            return Permanent(f"{name} {item.record_id}: unexpected {type(err).__name__}")

    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix=name) as pool:
        results = list(pool.map(guarded, items))
    return {item.record_id: result for item, result in zip(items, results, strict=True)}


def _log_push(entity: str, results: Mapping[str, Result]) -> None:
    outcomes = Counter(
        r.outcome if isinstance(r, Pushed) else type(r).__name__ for r in results.values()
    )
    log.info(
        "checkout push entity=%s records=%d %s",
        entity,
        len(results),
        " ".join(f"{name}={count}" for name, count in sorted(outcomes.items())),
    )
