"""Checkout.com's error answers, parsed at the boundary and turned into the outbox's error types.

The Payments API answers a failure with `{"request_id", "error_type"}`, and a refusal of the
content (HTTP 422, `request_invalid`) or of a concurrent duplicate (HTTP 429) adds
`error_codes`. Statuses without a body in the spec (401, 403, 404) are decided by status alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import requests

from ez_pipelines.outbox.errors import (
    AuthenticationFailed,
    Conflict,
    Permanent,
    RateLimited,
    Retryable,
    SyncError,
    Unavailable,
)
from ez_pipelines.vendors.http import retry_after_s as retry_after_of

# A body that is not Checkout.com's JSON (a proxy's page) can be long; keep enough to act on.
BODY_LIMIT = 200
# Checkout.com asks for at least 30 s before retrying a request answered `duplicate_request`:
# the first request with the same idempotency key is still being processed.
DUPLICATE_WAIT_S = 30.0
# The documented limits count requests per second; one second empties the window.
RATE_LIMIT_WAIT_S = 1.0
DUPLICATE_REQUEST = "duplicate_request"


@dataclass(frozen=True)
class ErrorBody:
    request_id: str | None = None
    error_type: str | None = None
    error_codes: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        text = self.error_type or "error"
        if self.error_codes:
            text += f" [{', '.join(self.error_codes)}]"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


def parse_error_body(raw: object) -> ErrorBody | None:
    """The error in a decoded JSON body, or None when the body is not one of Checkout.com's."""
    if not isinstance(raw, Mapping):
        return None
    if not any(key in raw for key in ("request_id", "error_type", "error_codes")):
        return None
    codes = raw.get("error_codes")
    return ErrorBody(
        request_id=_text(raw.get("request_id")),
        error_type=_text(raw.get("error_type")),
        error_codes=tuple(str(c) for c in codes if c) if isinstance(codes, list) else (),
    )


class CheckoutError(SyncError):
    """Any refusal by Checkout.com; the concrete classes below also carry the outbox's kind."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        body: ErrorBody | None = None,
    ) -> None:
        codes = body.error_codes if body else ()
        vendor_code = codes[0] if codes else (body.error_type if body else None)
        super().__init__(
            message, http_status=http_status, retry_after_s=retry_after_s, vendor_code=vendor_code
        )
        self.body = body

    @property
    def error_codes(self) -> tuple[str, ...]:
        return self.body.error_codes if self.body else ()

    @property
    def request_id(self) -> str | None:
        return self.body.request_id if self.body else None


class CheckoutUnavailable(CheckoutError, Unavailable):
    pass


class CheckoutRateLimited(CheckoutError, RateLimited):
    pass


class DuplicateRequestInFlight(CheckoutError, Retryable):
    """Another request with the same idempotency key is still being processed; its outcome will
    be the answer to ours once it is done."""


class CheckoutAuthenticationFailed(CheckoutError, AuthenticationFailed):
    pass


class CheckoutRejected(CheckoutError, Permanent):
    """Checkout.com refused the content; `error_codes` says what it found wrong."""


class PaymentNotFound(CheckoutError, Permanent):
    """Checkout.com has no payment with the id we named."""


class ActionNotAllowed(CheckoutError, Conflict):
    """The payment's state does not allow the action (yet): a refund of a payment whose capture
    has not been processed, a void after capture. The state may settle, so it gets a few tries."""


class UnexpectedAnswer(CheckoutError, Conflict):
    """A success whose body we cannot read: what Checkout.com did is unknown until it is asked."""


def error_from_response(response: requests.Response, *, operation: str) -> CheckoutError:
    """The typed error for a non-2xx answer; `operation` names the call, e.g. `POST /payments`."""
    status = response.status_code
    body = _error_body_of(response)
    # The request id is what Checkout.com's support asks for; the header has it when the body
    # does not (403 and 404 come without a body).
    request_id = response.headers.get("Cko-Request-Id")
    if body is not None and body.request_id is None:
        body = replace(body, request_id=request_id)
    what = body.summary if body else _snippet(response.text)
    if body is None and request_id:
        what += f" (request id {request_id})"
    message = f"checkout {operation}: HTTP {status}: {what}"
    return error_for_status(status, message, body=body, retry_after_s=retry_after_of(response))


def error_for_status(
    status: int, message: str, *, body: ErrorBody | None = None, retry_after_s: float | None = None
) -> CheckoutError:
    """The outbox's error type for an answer with HTTP status `status` and `body`."""
    kwargs: dict[str, Any] = {"http_status": status, "body": body}
    codes = body.error_codes if body else ()
    if status == 429 and DUPLICATE_REQUEST in codes:
        wait = max(DUPLICATE_WAIT_S, retry_after_s or 0.0)
        return DuplicateRequestInFlight(message, retry_after_s=wait, **kwargs)
    if status == 429:
        return CheckoutRateLimited(
            message, retry_after_s=retry_after_s or RATE_LIMIT_WAIT_S, **kwargs
        )
    if status >= 500 or status == 408:
        return CheckoutUnavailable(message, retry_after_s=retry_after_s, **kwargs)
    # A refused key fails every row alike: rows wait for a person to fix the key rather than
    # each becoming a dead letter.
    if status == 401:
        return CheckoutAuthenticationFailed(message, **kwargs)
    if status == 403:
        return ActionNotAllowed(message, **kwargs)
    if status == 404:
        return PaymentNotFound(message, **kwargs)
    return CheckoutRejected(message, **kwargs)


def _error_body_of(response: requests.Response) -> ErrorBody | None:
    try:
        return parse_error_body(response.json())
    except ValueError:
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if not flat:
        return "(no body)"
    return flat[:BODY_LIMIT] + ("..." if len(flat) > BODY_LIMIT else "")
