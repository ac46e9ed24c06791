"""A local Checkout.com: the NAS payments API as its spec and documentation describe it.

Mounted at `/checkout`, so an adapter reaches it by base URL alone. Every API call needs
`Authorization: Bearer <secret key>`; reads and writes are each limited per second; faults roll
once per call (an error or a timeout strikes before any change, a timeout after commit changes,
then hangs, then answers). Writes honour `Cko-Idempotency-Key`. Every change of a payment
becomes a webhook event, delivered signed to `webhook_url` with the failures Checkout.com allows
itself: drops, duplicates, delays, reordering and resends.

Outcomes are chosen by the source, as with Checkout.com's test cards: a source id or token
containing `decline` is declined with 20005, one containing `pending` answers 202 and is decided
`pending_delay_ms` later; any other is approved with 10000.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.sandbox.checkout import bodies, events
from ez_pipelines.sandbox.checkout.gate import IdempotencyKeys, RateLimit
from ez_pipelines.sandbox.checkout.ids import IdSource
from ez_pipelines.sandbox.checkout.knobs import Knobs
from ez_pipelines.sandbox.checkout.ledger import Action, Ledger, Payment, Refused
from ez_pipelines.sandbox.checkout.validation import (
    ActionRequest,
    PaymentRequest,
    action_request,
    payment_request,
)
from ez_pipelines.sandbox.checkout.webhooks import Webhooks
from ez_pipelines.sandbox.checkout.writes import Answer, Write, idempotent_write
from ez_pipelines.sandbox.faults import Fault
from ez_pipelines.sandbox.standin import StandIn
from ez_pipelines.settings import CheckoutSettings, Settings

PAYMENT = "/payments/{payment_id}"
Handler = Callable[[str], Awaitable[Response]]


class CheckoutStandIn(StandIn):
    """Checkout.com payments for the sandbox; its knobs are listed in `knobs.Knobs`."""

    name = "checkout"

    def __init__(
        self,
        settings: CheckoutSettings | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.credentials = settings or Settings.from_env().checkout
        self.clock = clock
        self._default_knobs = Knobs(webhook_secret=self.credentials.webhook_secret, seed=seed)
        self.knobs = replace(self._default_knobs)
        self.api_base = self.credentials.base_url.rstrip("/")
        self.keys = IdempotencyKeys()
        self.limit = RateLimit()
        self.webhooks = Webhooks(lambda: self.knobs, clock, seed + 1)
        self._start_fresh()

        add = self.router.add_api_route
        add("/payments", self._create_payment, methods=["POST"], response_model=None)
        add(PAYMENT, self._get_payment, methods=["GET"], response_model=None)
        add(PAYMENT + "/actions", self._get_actions, methods=["GET"], response_model=None)
        for kind in ("captures", "refunds", "voids"):
            add(f"{PAYMENT}/{kind}", self._action_route(kind), methods=["POST"])
        # Not Checkout.com's API: the sandbox's own controls, kept apart by their prefix.
        add("/_control/deliver", self._flush, methods=["POST"])

    def _start_fresh(self) -> None:
        self.ids = IdSource(self.knobs.seed)
        self.request_ids = IdSource(self.knobs.seed + 2)
        self.ledger = Ledger(self.ids, self.clock, self._publish)
        self.keys.clear()
        self.limit.clear()
        self.webhooks.clear(self.knobs.seed + 1)

    def settings(self) -> dict[str, Any]:
        shown = self.knobs.as_json()
        shown["webhook_secret"] = "****" if self.knobs.webhook_secret else ""
        return shown

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        self.knobs = self.knobs.changed(settings)
        if "seed" in settings:
            self.ids.rng.seed(self.knobs.seed)
            self.webhooks.rng.seed(self.knobs.seed + 1)
        self.webhooks.wake()
        return self.settings()

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "webhooks": self.webhooks.counts()}

    def inspect(self) -> dict[str, Any]:
        self.ledger.settle()
        payments = [bodies.payment_truth(p) for p in self.ledger.payments.values()]
        return {
            "payments": payments,
            "events": list(self.webhooks.events),
            "deliveries": list(self.webhooks.attempts),
            "dropped": list(self.webhooks.dropped),
            "counts": {
                "payments": len(payments),
                **self.webhooks.counts(),
                "idempotency_keys": len(self.keys),
                "rate_limited": self.limit.refused,
            },
        }

    def reset(self) -> None:
        """A new account: no payments, events or keys, default knobs, the first seed again."""
        super().reset()
        self.knobs = replace(self._default_knobs)
        self._start_fresh()

    def _publish(self, event_type: str, payment: Payment, action: Action | None) -> None:
        event_id = self.ids.new("evt")
        created_on = self.clock.now()
        self.webhooks.publish(
            events.event(self.api_base, event_id, event_type, created_on, payment, action)
        )

    async def _create_payment(self, request: Request) -> Response:
        def commit(ask: PaymentRequest) -> Answer:
            pending = "pending" in ask.source_ref
            payment, authorization = self.ledger.create(
                ask,
                pending_s=self.knobs.pending_delay_ms / 1000 if pending else None,
                capture_after_s=self.knobs.capture_delay_ms / 1000,
            )
            if authorization is None:
                return 202, bodies.pending_response(self.api_base, payment)
            return 201, bodies.payment_response(self.api_base, payment, authorization)

        return await self._write(request, "create_payment", Write(payment_request, commit))

    async def _get_payment(self, request: Request, payment_id: str) -> Response:
        async def answer(_: str) -> Response:
            payment = self.ledger.payments.get(payment_id)
            if payment is None:
                return Response(status_code=404)
            return JSONResponse(bodies.payment_details(self.api_base, payment))

        return await self._serve(request, "get_payment", "read", answer)

    async def _get_actions(self, request: Request, payment_id: str) -> Response:
        async def answer(_: str) -> Response:
            payment = self.ledger.payments.get(payment_id)
            if payment is None:
                return Response(status_code=404)
            # Newest first, as the spec's PaymentActionsResponse example lists them.
            return JSONResponse([bodies.action_body(a) for a in reversed(payment.actions)])

        return await self._serve(request, "get_actions", "read", answer)

    def _action_route(self, kind: str) -> Callable[[Request, str], Awaitable[Response]]:
        """POST captures, refunds or voids: 202 with the new action's id."""

        def payment(payment_id: str) -> Payment:
            found = self.ledger.payments.get(payment_id)
            if found is None:
                raise Refused(404)
            return found

        async def route(request: Request, payment_id: str) -> Response:
            def check(document: Any) -> ActionRequest:
                payment(payment_id)
                return action_request(
                    document, with_amount=kind != "voids", capture=kind == "captures"
                )

            def commit(ask: ActionRequest) -> Answer:
                target = payment(payment_id)
                pending_s = (
                    self.knobs.pending_delay_ms / 1000 if self.knobs.pending_actions else None
                )
                if kind == "captures":
                    action = self.ledger.capture(target, ask, pending_s=pending_s)
                elif kind == "refunds":
                    action = self.ledger.refund(target, ask, pending_s=pending_s)
                else:
                    action = self.ledger.void(target, ask)
                return 202, bodies.accepted_body(self.api_base, target, action)

            return await self._write(request, kind, Write(check, commit))

        route.__name__ = f"post_{kind}"
        return route

    async def _write(self, request: Request, operation: str, write: Write) -> Response:
        async def answer(request_id: str) -> Response:
            return await idempotent_write(
                request,
                request_id,
                write,
                keys=self.keys,
                clock=self.clock,
                knobs=self.knobs,
                settle=self._settle,
            )

        return await self._serve(request, operation, "write", answer)

    async def _serve(
        self, request: Request, operation: str, kind: str, answer: Handler
    ) -> Response:
        async with self.tracked(operation):
            self.webhooks.start(self._settle)
            self.api_base = f"{str(request.base_url).rstrip('/')}/{self.name}"
            request_id = self.request_ids.request_id()
            response = await self._answer(request, kind, answer, request_id)
        response.headers["Cko-Request-Id"] = request_id
        self.responses[response.status_code] += 1
        return response

    async def _answer(
        self, request: Request, kind: str, answer: Handler, request_id: str
    ) -> Response:
        if not self._authorized(request):
            # Checkout.com answers a missing or wrong key with an empty 401.
            return Response(status_code=401)
        if not self.limit.admit(kind, now=self.clock.monotonic(), per_second=self.knobs.max_rps):
            body = {"request_id": request_id, "error_type": "too_many_requests"}
            return JSONResponse(body, status_code=429)

        await self.faults.delay()
        fault = self.faults.roll()
        if fault is Fault.ERROR:
            return Response(status_code=502)
        if fault is Fault.TIMEOUT:
            await self.faults.hang()
            return Response(status_code=504)

        self.ledger.settle()
        response = await answer(request_id)
        if fault is Fault.TIMEOUT_AFTER_COMMIT:
            await self.faults.hang()
        return response

    def _authorized(self, request: Request) -> bool:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        expected = self.credentials.secret_key.encode()
        return scheme.lower() == "bearer" and hmac.compare_digest(key.strip().encode(), expected)

    def _settle(self) -> float | None:
        # Looked up on each call: a reset replaces the ledger under the running delivery task.
        return self.ledger.settle()

    async def _flush(self) -> dict[str, int]:
        """`POST /checkout/_control/deliver`: one attempt for every pending delivery, now."""
        self.webhooks.start(self._settle)
        self.ledger.settle()
        return await self.webhooks.flush()
