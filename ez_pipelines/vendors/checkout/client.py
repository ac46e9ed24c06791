"""Checkout.com's Payments API: one session, the secret key as a bearer token, our pace first.

Answers are parsed here into `models` values and `errors` types; nothing past this module sees
Checkout.com's JSON. Every write carries a `Cko-Idempotency-Key` and is sent once: the outbox
retries it later with the same key, which Checkout.com answers with the first outcome. Reads
may be resent by the session (see `vendors.http`), which is always safe.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import requests

from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.settings import CheckoutSettings
from ez_pipelines.vendors.checkout.errors import (
    CheckoutError,
    UnexpectedAnswer,
    error_from_response,
)
from ez_pipelines.vendors.checkout.models import (
    ActionAnswer,
    PaymentActionDetails,
    PaymentAnswer,
    PaymentDetails,
    PaymentRequest,
)
from ez_pipelines.vendors.http import Timeout, VendorSession
from ez_pipelines.vendors.ratelimit import RollingWindowLimiter

log = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Cko-Idempotency-Key"
# Checkout.com allows 100 reads and 100 writes a second across the whole account; our share
# leaves room for everything else that uses the same account.
READS_PER_S = 80
WRITES_PER_S = 80


class CheckoutClient:
    """The payment endpoints our syncs and polls need.

    Share one client between threads: its limiters pace all of them together.
    """

    def __init__(
        self,
        settings: CheckoutSettings,
        *,
        timeout: Timeout,
        clock: Clock = SYSTEM_CLOCK,
        reads_per_s: int = READS_PER_S,
        writes_per_s: int = WRITES_PER_S,
        pool_size: int = 10,
    ) -> None:
        self.settings = settings
        self._base_url = settings.base_url.rstrip("/")
        self.http = VendorSession(vendor="checkout", timeout=timeout, pool_size=pool_size)
        self.http.session.headers["Authorization"] = f"Bearer {settings.secret_key}"
        self.http.session.headers["Accept"] = "application/json"
        self.reads = _pace(reads_per_s, clock)
        self.writes = _pace(writes_per_s, clock)

    def request_payment(self, req: PaymentRequest, *, idempotency_key: str) -> PaymentAnswer:
        """Ask for a payment: 201 once processed (authorized or declined), 202 while pending."""
        status, answer = self._write("/payments", dict(req), idempotency_key)
        return PaymentAnswer.from_json(answer, http_status=status)

    def get_payment(self, payment_id: str) -> PaymentDetails:
        return PaymentDetails.from_json(self._read(_payment_path(payment_id)))

    def get_actions(self, payment_id: str) -> list[PaymentActionDetails]:
        """The payment's actions, newest first, as Checkout.com lists them."""
        answer = self._read(f"{_payment_path(payment_id)}/actions")
        if not isinstance(answer, list):
            raise UnexpectedAnswer(f"checkout listed the actions of {payment_id} as no list")
        return [PaymentActionDetails.from_json(raw) for raw in answer]

    def refund(
        self, payment_id: str, *, amount: int | None, reference: str, idempotency_key: str
    ) -> ActionAnswer:
        """Refund `amount` (minor units) of a captured payment; None refunds what is left."""
        body = _action_body(amount, reference)
        _, answer = self._write(f"{_payment_path(payment_id)}/refunds", body, idempotency_key)
        return ActionAnswer.from_json(answer)

    def capture(
        self,
        payment_id: str,
        *,
        amount: int | None,
        reference: str,
        idempotency_key: str,
        final: bool = True,
    ) -> ActionAnswer:
        """Capture `amount` of an authorization; a final capture voids what it leaves."""
        body = _action_body(amount, reference)
        body["capture_type"] = "Final" if final else "NonFinal"
        _, answer = self._write(f"{_payment_path(payment_id)}/captures", body, idempotency_key)
        return ActionAnswer.from_json(answer)

    def void(self, payment_id: str, *, reference: str, idempotency_key: str) -> ActionAnswer:
        """Release an authorization nothing was captured from."""
        body = {"reference": reference}
        _, answer = self._write(f"{_payment_path(payment_id)}/voids", body, idempotency_key)
        return ActionAnswer.from_json(answer)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CheckoutClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _read(self, path: str) -> Any:
        self.reads.acquire()
        response = self.http.request("GET", f"{self._base_url}{path}")
        if not response.ok:
            raise _refusal(response, "GET", path)
        return _json_of(response, "GET", path)

    def _write(
        self, path: str, body: Mapping[str, Any], idempotency_key: str
    ) -> tuple[int, object]:
        if not idempotency_key:
            raise ValueError(f"POST {path} needs an idempotency key: writes are retried")
        self.writes.acquire()
        response = self.http.request(
            "POST",
            f"{self._base_url}{path}",
            json=dict(body),
            headers={IDEMPOTENCY_HEADER: idempotency_key},
        )
        if not response.ok:
            raise _refusal(response, "POST", path)
        return response.status_code, _json_of(response, "POST", path)


def _refusal(response: requests.Response, method: str, path: str) -> CheckoutError:
    error = error_from_response(response, operation=f"{method} {path}")
    log.info(
        "checkout %s %s -> %d %s",
        method,
        path,
        response.status_code,
        ",".join(error.error_codes) or type(error).__name__,
    )
    return error


def _pace(per_s: int, clock: Clock) -> RollingWindowLimiter:
    """`per_s` requests a second, let through a tenth at a time rather than as one burst: a
    burst let through the instant a second turns can arrive together with the tail of the
    previous one, and Checkout.com counts arrivals."""
    if per_s < 1:
        raise ValueError(f"at least one request a second is needed, not {per_s}")
    burst = max(per_s // 10, 1)
    return RollingWindowLimiter(burst, burst / per_s, clock=clock)


def _payment_path(payment_id: str) -> str:
    if not payment_id:
        raise ValueError("a Checkout.com payment id is needed")
    return f"/payments/{quote(payment_id, safe='')}"


def _action_body(amount: int | None, reference: str) -> dict[str, Any]:
    # An omitted amount means "all that is available", so None must never be sent as a value.
    body: dict[str, Any] = {"reference": reference}
    if amount is not None:
        if isinstance(amount, bool) or amount <= 0:
            raise ValueError(f"amount must be a positive count of minor units, not {amount!r}")
        body["amount"] = amount
    return body


def _json_of(response: requests.Response, method: str, path: str) -> object:
    try:
        return response.json()
    except ValueError as err:
        raise UnexpectedAnswer(
            f"checkout {method} {path} answered HTTP {response.status_code} with a body that is "
            "not JSON",
            http_status=response.status_code,
        ) from err
