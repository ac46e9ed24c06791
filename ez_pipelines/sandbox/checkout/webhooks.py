"""Webhook deliveries as Checkout.com makes them: signed, at least once, in no promised order.

Each event is serialised once; every copy and every resend carries those exact bytes, signed in
`Cko-Signature` with the hex HMAC-SHA256 of the body under the webhook key
(https://www.checkout.com/docs/developer-resources/webhooks/manage-webhooks/set-up-your-webhook-receiver).
A delivery answered other than 2xx, or not answered, is sent again 5, 10, 15 and 30 minutes,
1, 4, 12 and 12 hours later, then given up (https://www.checkout.com/docs/workflows); the
`time_scale` knob compresses that schedule. The knobs `drop_rate`, `duplicate_rate`,
`delay_ms` and `reorder` make the failures a receiver has to survive happen on purpose.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from ez_pipelines.clock import Clock
from ez_pipelines.sandbox.checkout.ids import instant
from ez_pipelines.sandbox.checkout.knobs import Knobs

log = logging.getLogger(__name__)

RESEND_AFTER_S = (300.0, 600.0, 900.0, 1800.0, 3600.0, 14_400.0, 43_200.0, 43_200.0)
IDLE_S = 0.25
"""Longest the background task sleeps, so a change of knobs or of clock is seen soon."""
CONNECT_TIMEOUT_S = 2.0


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    event_id: str
    body: bytes
    copy: int
    """0 for the first copy; 1 and 2 for duplicates of the same event."""
    rank: float
    due: float
    attempts: int = 0
    state: str = "pending"  # pending, sending, delivered or given_up


class Webhooks:
    def __init__(self, knobs: Callable[[], Knobs], clock: Clock, seed: int) -> None:
        self._knobs = knobs
        self.clock = clock
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._generation = 0
        self.clear(seed)

    def clear(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.events: list[dict[str, Any]] = []
        self.dropped: list[str] = []
        self.unrouted = 0
        self.duplicates = 0
        self.pending: list[Delivery] = []
        self.finished: dict[str, int] = {"delivered": 0, "given_up": 0}
        self.attempts: list[dict[str, Any]] = []
        self._sequence = 0
        self._last_due = float("-inf")
        # An attempt still in flight when everything is cleared must not report into the new log.
        self._generation += 1

    def publish(self, event: dict[str, Any]) -> None:
        """Record the event and schedule its deliveries (none, one or up to three copies)."""
        self.events.append(event)
        knobs = self._knobs()
        if not knobs.webhook_url:
            self.unrouted += 1
            return
        if self.rng.random() < knobs.drop_rate:
            self.dropped.append(event["id"])
            return
        copies = 1
        if self.rng.random() < knobs.duplicate_rate:
            copies += self.rng.choice((1, 2))
            self.duplicates += copies - 1
        body = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
        now = self.clock.monotonic()
        for copy in range(copies):
            due = now + self.rng.uniform(0.0, knobs.delay_ms / 1000)
            if not knobs.reorder:
                due = self._last_due = max(due, self._last_due)
            self._sequence += 1
            rank = self.rng.random() if knobs.reorder else float(self._sequence)
            self.pending.append(Delivery(event["id"], body, copy, rank, due))
        if self._wake is not None:
            self._wake.set()

    def start(self, settle: Callable[[], float | None]) -> None:
        """Run the background task on the running loop, once; `settle` is called every turn."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        self._wake = asyncio.Event()
        self._task = loop.create_task(self._run(settle), name="checkout-webhooks")

    def wake(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def flush(self) -> dict[str, int]:
        """One attempt for every pending delivery now, whenever it was due, in delivery order."""
        attempted = delivered = 0
        for delivery in sorted(self.pending, key=self._order):
            if delivery.state != "pending" or not self._knobs().webhook_url:
                continue
            attempted += 1
            await self._attempt(delivery)
            delivered += delivery.state == "delivered"
        return {
            "attempted": attempted,
            "delivered": delivered,
            "failed": attempted - delivered,
            "pending": len(self.pending),
            "given_up": self.finished["given_up"],
        }

    def counts(self) -> dict[str, int]:
        failed = sum(1 for a in self.attempts if not 200 <= a.get("status_code", 0) < 300)
        return {
            "events": len(self.events),
            "dropped": len(self.dropped),
            "unrouted": self.unrouted,
            "duplicates": self.duplicates,
            "attempts": len(self.attempts),
            "failed_attempts": failed,
            "acknowledged": len(self.attempts) - failed,
            "delivered": self.finished["delivered"],
            "given_up": self.finished["given_up"],
            "pending": len(self.pending),
        }

    async def _run(self, settle: Callable[[], float | None]) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            waits = [IDLE_S]
            try:
                next_action = settle()
                if next_action is not None:
                    waits.append(next_action)
                if self._knobs().auto_deliver:
                    waits.append(await self._deliver_due())
            except Exception:
                # The stand-in must keep delivering after one bad turn; the test sees the log.
                log.exception("checkout stand-in: webhook turn failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(min(waits), 0.001))

    async def _deliver_due(self) -> float:
        now = self.clock.monotonic()
        for delivery in sorted(self.pending, key=self._order):
            if delivery.state == "pending" and delivery.due <= now:
                await self._attempt(delivery)
        upcoming = [d.due for d in self.pending if d.state == "pending"]
        return min(upcoming) - self.clock.monotonic() if upcoming else IDLE_S

    def _order(self, delivery: Delivery) -> tuple[float, ...]:
        return (delivery.rank,) if self._knobs().reorder else (delivery.due, delivery.rank)

    async def _attempt(self, delivery: Delivery) -> None:
        knobs = self._knobs()
        if not knobs.webhook_url:
            return
        generation = self._generation
        delivery.state = "sending"
        headers = {
            "Content-Type": "application/json",
            "Cko-Signature": sign(knobs.webhook_secret, delivery.body),
        }
        outcome: dict[str, Any]
        try:
            status = await asyncio.to_thread(
                _post, knobs.webhook_url, delivery.body, headers, knobs.delivery_timeout_s
            )
            outcome = {"status_code": status}
        except requests.RequestException as err:
            status, outcome = 0, {"error": type(err).__name__}
        if generation != self._generation:
            return
        delivery.attempts += 1
        at = instant(self.clock.now())
        self.attempts.append(
            {"event_id": delivery.event_id, "copy": delivery.copy, "attempt": delivery.attempts}
            | outcome
            | {"at": at}
        )
        if 200 <= status < 300 or delivery.attempts > len(RESEND_AFTER_S):
            delivery.state = "delivered" if 200 <= status < 300 else "given_up"
            self.finished[delivery.state] += 1
            self.pending.remove(delivery)
            return
        delivery.state = "pending"
        wait = RESEND_AFTER_S[delivery.attempts - 1] * knobs.time_scale
        delivery.due = self.clock.monotonic() + wait


def _post(url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> int:
    """One delivery, on a worker thread so the stand-in's event loop keeps answering."""
    response = requests.post(
        url,
        data=body,
        headers=headers,
        timeout=(min(CONNECT_TIMEOUT_S, timeout_s), timeout_s),
        allow_redirects=False,
    )
    return response.status_code
