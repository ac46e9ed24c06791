"""Checkout.com's error answers become the outbox's error types, decided by status and codes."""

from __future__ import annotations

import json
from typing import Any

import pytest
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
from ez_pipelines.vendors.checkout.errors import (
    BODY_LIMIT,
    DUPLICATE_WAIT_S,
    RATE_LIMIT_WAIT_S,
    ActionNotAllowed,
    CheckoutAuthenticationFailed,
    CheckoutRateLimited,
    CheckoutRejected,
    CheckoutUnavailable,
    DuplicateRequestInFlight,
    PaymentNotFound,
    error_from_response,
    parse_error_body,
)

# The spec's ValidationError example, and the body its 429 on POST /payments documents.
INVALID = {
    "request_id": "0HL80RJLS76I7",
    "error_type": "request_invalid",
    "error_codes": ["payment_source_required", "amount_invalid"],
}
DUPLICATE = {
    "request_id": "0HL80RJLS76I8",
    "error_type": "request_invalid",
    "error_codes": ["duplicate_request"],
}
MALFORMED = {"request_id": "0HL80RJLS76I9", "error_type": "request_malformed"}


def answer(
    status: int, body: Any = None, *, text: str = "", headers: dict[str, str] | None = None
) -> requests.Response:
    """A response as `requests` hands it over, built from what Checkout.com would send."""
    response = requests.Response()
    response.status_code = status
    response._content = (json.dumps(body) if body is not None else text).encode("utf-8")
    response.headers.update(headers or {})
    return response


CASES: list[tuple[str, requests.Response, type[SyncError], float | None]] = [
    # Invalid content: sending it again unchanged fails again.
    ("422 request_invalid", answer(422, INVALID), CheckoutRejected, None),
    # A second request with a key whose first request is still running: wait, never < 30 s.
    ("429 duplicate_request", answer(429, DUPLICATE), DuplicateRequestInFlight, DUPLICATE_WAIT_S),
    (
        "429 duplicate_request, short Retry-After",
        answer(429, DUPLICATE, headers={"Retry-After": "2"}),
        DuplicateRequestInFlight,
        DUPLICATE_WAIT_S,
    ),
    (
        "429 duplicate_request, longer Retry-After",
        answer(429, DUPLICATE, headers={"Retry-After": "45"}),
        DuplicateRequestInFlight,
        45.0,
    ),
    # The rate window: the vendor's Retry-After, else one window of the per-second limit.
    ("429 rate limit", answer(429, headers={"Retry-After": "3"}), CheckoutRateLimited, 3.0),
    ("429 rate limit without header", answer(429), CheckoutRateLimited, RATE_LIMIT_WAIT_S),
    ("401 refused key", answer(401), CheckoutAuthenticationFailed, None),
    # The payment's state does not allow the action (yet): the state may settle.
    ("403 action not allowed", answer(403), ActionNotAllowed, None),
    ("404 unknown payment", answer(404), PaymentNotFound, None),
    ("400 request_malformed", answer(400, MALFORMED), CheckoutRejected, None),
    ("500", answer(500), CheckoutUnavailable, None),
    ("502 bad gateway", answer(502, text="<html>Bad Gateway</html>"), CheckoutUnavailable, None),
    ("503 with Retry-After", answer(503, headers={"Retry-After": "7"}), CheckoutUnavailable, 7.0),
    ("408", answer(408), CheckoutUnavailable, None),
]


@pytest.mark.parametrize(
    ("response", "expected", "wait"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_answer_maps_to_the_type_checkout_means(
    response: requests.Response, expected: type[SyncError], wait: float | None
) -> None:
    error = error_from_response(response, operation="POST /payments")

    assert type(error) is expected
    assert error.http_status == response.status_code
    assert error.retry_after_s == wait


def test_each_type_carries_the_outbox_kind_that_decides_its_fate() -> None:
    assert issubclass(CheckoutRejected, Permanent)
    assert issubclass(PaymentNotFound, Permanent)
    assert issubclass(ActionNotAllowed, Conflict)
    assert issubclass(DuplicateRequestInFlight, Retryable)
    assert not issubclass(DuplicateRequestInFlight, Unavailable)
    assert issubclass(CheckoutRateLimited, RateLimited)
    assert issubclass(CheckoutAuthenticationFailed, AuthenticationFailed)
    assert issubclass(CheckoutUnavailable, Unavailable)


def test_validation_error_keeps_its_codes_and_request_id() -> None:
    error = error_from_response(answer(422, INVALID), operation="POST /payments")

    assert isinstance(error, CheckoutRejected)
    assert error.error_codes == ("payment_source_required", "amount_invalid")
    assert error.vendor_code == "payment_source_required"
    assert error.request_id == "0HL80RJLS76I7"
    assert error.message == (
        "checkout POST /payments: HTTP 422: request_invalid "
        "[payment_source_required, amount_invalid] (request id 0HL80RJLS76I7)"
    )


def test_request_id_comes_from_the_header_when_the_body_has_none() -> None:
    body = {"error_type": "request_invalid", "error_codes": ["amount_invalid"]}
    response = answer(422, body, headers={"Cko-Request-Id": "0HL8HEADER"})

    error = error_from_response(response, operation="POST /payments")

    assert error.request_id == "0HL8HEADER"


def test_a_refusal_without_body_names_the_request_id_of_its_header() -> None:
    response = answer(403, headers={"Cko-Request-Id": "0HL8NOBODY"})

    error = error_from_response(response, operation="POST /payments/pay_x/voids")

    assert error.message == (
        "checkout POST /payments/pay_x/voids: HTTP 403: (no body) (request id 0HL8NOBODY)"
    )


def test_a_body_that_is_not_checkouts_is_kept_short_in_the_message() -> None:
    page = "<html>" + "gateway trouble " * 100 + "</html>"

    error = error_from_response(answer(502, text=page), operation="GET /payments/pay_x")

    assert error.body is None
    assert error.message.startswith("checkout GET /payments/pay_x: HTTP 502: <html>gateway")
    assert error.message.endswith("...")
    assert len(error.message) < BODY_LIMIT + 60


def test_error_body_parsing_ignores_what_is_not_an_error_body() -> None:
    assert parse_error_body(["duplicate_request"]) is None
    assert parse_error_body({"id": "pay_x"}) is None
    assert parse_error_body({"error_type": "request_invalid", "error_codes": "x"}) is not None
    parsed = parse_error_body({"error_type": "request_invalid", "error_codes": "x"})
    assert parsed is not None
    assert parsed.error_codes == ()
