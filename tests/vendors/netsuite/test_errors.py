"""NetSuite's error answers become the outbox's error types, decided by status and error code."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from ez_pipelines.outbox.errors import (
    AuthenticationFailed,
    ConcurrencyLimited,
    Conflict,
    Permanent,
    SyncError,
    Unavailable,
)
from ez_pipelines.vendors.netsuite.errors import (
    BODY_LIMIT,
    NetSuiteError,
    error_from_response,
    parse_ns_error,
)
from tests.vendors.netsuite.support import fixture_json


def oracle_sample(name: str) -> dict[str, Any]:
    samples = fixture_json("rest_error_samples.json")["examples"]
    body: dict[str, Any] = next(s["body"] for s in samples if s["name"] == name)
    return body


def ns_body(status: int, code: str, detail: str = "refused", **extra: str) -> dict[str, Any]:
    return {
        "title": "t",
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code, **extra}],
    }


def answer(
    status: int,
    body: Any = None,
    *,
    text: str = "",
    headers: dict[str, str] | None = None,
) -> requests.Response:
    """A response as `requests` hands it over, built from what NetSuite would send."""
    response = requests.Response()
    response.status_code = status
    response._content = (json.dumps(body) if body is not None else text).encode("utf-8")
    if body is not None:
        response.headers["Content-Type"] = "application/json"
    response.headers.update(headers or {})
    return response


def test_oracle_invalid_login_sample_parses_to_its_code() -> None:
    error = parse_ns_error(oracle_sample("invalid login (401)"))

    assert error is not None
    assert (error.status, error.title, error.code) == (401, "Unauthorized", "INVALID_LOGIN")
    assert error.details[0].detail.startswith("Invalid login attempt.")
    assert error.path is None


def test_oracle_invalid_content_sample_keeps_the_json_path_of_the_bad_field() -> None:
    error = parse_ns_error(oracle_sample("invalid body reference (400)"))

    assert error is not None
    assert error.code == "INVALID_CONTENT"
    assert error.path == "item.items[0].item"
    assert error.type == "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html#sec10.4.1"


def test_oracle_duplicate_idempotency_key_sample_is_a_conflict() -> None:
    examples = fixture_json("rest_request_examples.json")["examples"]
    duplicate = next(e for e in examples if "IDEMPOTENCY_ERROR" in e["name"])["duplicate_response"]

    error = error_from_response(answer(400, duplicate["body"]), operation="POST account")

    assert isinstance(error, Conflict)
    assert error.error_code == "IDEMPOTENCY_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        {"message": "not an nsError"},
        ["o:errorDetails"],
        "Service Unavailable",
        None,
    ],
)
def test_bodies_that_are_not_ns_errors_parse_to_none(body: Any) -> None:
    assert parse_ns_error(body) is None


@pytest.mark.parametrize(
    ("response", "kind", "code"),
    [
        # REST web services over the account's concurrency limit, as third parties report it.
        (
            answer(429, ns_body(429, "CONCURRENCY_LIMIT_EXCEEDED")),
            ConcurrencyLimited,
            "CONCURRENCY_LIMIT_EXCEEDED",
        ),
        # A RESTlet over the limit says 400, but it is the same "too many at once".
        (
            answer(400, ns_body(400, "SSS_REQUEST_LIMIT_EXCEEDED")),
            ConcurrencyLimited,
            "SSS_REQUEST_LIMIT_EXCEEDED",
        ),
        # A bare 429 from a proxy in front of NetSuite.
        (answer(429, text="Too Many Requests"), ConcurrencyLimited, None),
        (answer(401, oracle_sample("invalid login (401)")), AuthenticationFailed, "INVALID_LOGIN"),
        (answer(500, ns_body(500, "UNEXPECTED_ERROR")), Unavailable, "UNEXPECTED_ERROR"),
        (answer(503, text="<html>Service Unavailable</html>"), Unavailable, None),
        (answer(504, text=""), Unavailable, None),
        (answer(400, oracle_sample("invalid body reference (400)")), Permanent, "INVALID_CONTENT"),
        (
            answer(400, ns_body(400, "USER_ERROR", "Please enter value(s) for: subsidiary.")),
            Permanent,
            "USER_ERROR",
        ),
        (answer(404, ns_body(404, "NONEXISTENT_ID")), Permanent, "NONEXISTENT_ID"),
        # A role missing a permission fails every row alike: wait for a person, like a 401.
        (
            answer(403, ns_body(403, "INSUFFICIENT_PERMISSION")),
            AuthenticationFailed,
            "INSUFFICIENT_PERMISSION",
        ),
        (answer(400, ns_body(400, "IDEMPOTENCY_ERROR")), Conflict, "IDEMPOTENCY_ERROR"),
    ],
)
def test_each_answer_maps_to_the_error_kind_the_outbox_acts_on(
    response: requests.Response, kind: type[SyncError], code: str | None
) -> None:
    error = error_from_response(response, operation="PUT customer")

    assert isinstance(error, kind)
    assert isinstance(error, NetSuiteError)
    assert error.error_code == code
    assert error.http_status == response.status_code


def test_retryable_errors_never_pass_for_permanent_ones() -> None:
    limited = error_from_response(answer(429, text=""), operation="PUT customer")
    refused = error_from_response(answer(400, ns_body(400, "INVALID_CONTENT")), operation="PUT x")

    assert limited.kind == "retryable"
    assert refused.kind == "permanent"


def test_retry_after_of_a_concurrency_refusal_is_kept_for_the_backoff() -> None:
    response = answer(429, ns_body(429, "CONCURRENCY_LIMIT_EXCEEDED"), headers={"Retry-After": "7"})

    error = error_from_response(response, operation="PUT customer")

    assert isinstance(error, ConcurrencyLimited)
    assert error.retry_after_s == 7.0


def test_error_path_names_the_refused_field() -> None:
    body = ns_body(400, "INVALID_CONTENT", "Invalid Field Value", **{"o:errorPath": "email"})

    error = error_from_response(answer(400, body), operation="PUT customer")

    assert error.error_path == "email"
    assert "INVALID_CONTENT" in error.message
    assert "PUT customer" in error.message


def test_a_huge_error_page_is_cut_short_in_the_message() -> None:
    page = "<html>" + "gateway trouble " * 2000 + "</html>"

    error = error_from_response(answer(502, text=page), operation="GET customer")

    assert isinstance(error, Unavailable)
    assert len(error.message) < BODY_LIMIT + 80
    assert error.message.endswith("...")
