"""HubSpot's error answers become the outbox's error types, decided by status and body, once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ez_pipelines.outbox.errors import (
    AuthenticationFailed,
    Conflict,
    Permanent,
    RateLimited,
    Retryable,
    Unavailable,
)
from ez_pipelines.vendors.hubspot.errors import (
    ContactExists,
    ContactNotFound,
    error_for_input,
    error_for_status,
    existing_contact_id,
    parse_error_body,
    rate_limit_interval_s,
)

SAMPLES = json.loads(
    (Path(__file__).parents[2] / "fixtures/vendor/hubspot_error_samples.json").read_text()
)
TYPES = {
    cls.__name__: cls
    for cls in (
        ContactExists,
        ContactNotFound,
        RateLimited,
        AuthenticationFailed,
        Unavailable,
        Permanent,
    )
}


def _retry_after(headers: dict[str, str]) -> float | None:
    value = headers.get("Retry-After")
    return float(value) if value is not None else None


@pytest.mark.parametrize("sample", SAMPLES["answers"], ids=lambda s: s["name"])
def test_error_answer_maps_to_the_outbox_type_hubspot_means(sample: dict[str, Any]) -> None:
    headers = sample["headers"]
    error = error_for_status(
        sample["status"],
        parse_error_body(sample["body"]),
        retry_after_s=_retry_after(headers),
        interval_s=rate_limit_interval_s(headers),
    )

    expect = sample["expect"]
    assert type(error) is TYPES[expect["type"]]
    assert error.http_status == sample["status"]
    if "retry_after_s" in expect:
        assert error.retry_after_s == expect["retry_after_s"]
    if "vendor_code" in expect:
        assert error.vendor_code == expect["vendor_code"]
    if "existing_id" in expect:
        assert isinstance(error, ContactExists)
        assert error.existing_id == expect["existing_id"]


def test_existing_contact_is_a_conflict_the_outbox_retries_a_few_times() -> None:
    error = error_for_status(409, parse_error_body(SAMPLES["answers"][0]["body"]))

    assert isinstance(error, Conflict)
    assert error.kind == "conflict"


def test_rate_limit_and_credential_errors_wait_instead_of_dead_lettering() -> None:
    for status in (429, 401, 403, 502, 503, 504, 408):
        assert isinstance(error_for_status(status, parse_error_body({})), Retryable), status


def test_rate_limit_without_headers_waits_one_whole_window() -> None:
    body = parse_error_body({"policyName": "TEN_SECONDLY_ROLLING", "message": "limit"})

    assert error_for_status(429, body, default_window_s=10.0).retry_after_s == 10.0
    assert error_for_status(429, body, interval_s=1.0).retry_after_s == 1.0


def test_error_body_keeps_every_documented_field() -> None:
    body = parse_error_body(SAMPLES["answers"][6]["body"])

    assert body.message == "Property values were not valid"
    assert body.category == "VALIDATION_ERROR"
    assert body.sub_category == "PROPERTY_VALUE_ERROR"
    assert body.correlation_id == "0b6b3c9e-3f0e-4a57-9d4d-2f1d7a8b1c07"
    assert body.context == {"propertyName": ("email",)}
    assert [(d.code, d.location) for d in body.details] == [("INVALID_EMAIL", "email")]
    assert "correlation id 0b6b3c9e" in body.summary


def test_rate_limit_body_keeps_its_policy() -> None:
    body = parse_error_body(SAMPLES["answers"][1]["body"])

    assert (body.error_type, body.policy_name) == ("RATE_LIMIT", "TEN_SECONDLY_ROLLING")


def test_body_that_is_not_json_is_kept_short_as_the_message() -> None:
    body = parse_error_body("<html>" + "x" * 1000 + "</html>")

    assert body.message.startswith("<html>")
    assert len(body.message) <= 300
    assert parse_error_body(None).message == "no error body"


def test_existing_id_is_read_from_hubspots_conflict_message() -> None:
    assert existing_contact_id("Contact already exists. Existing ID: 37765128953") == "37765128953"
    assert existing_contact_id("Contact already exists.") is None


def test_batch_input_errors_name_their_inputs() -> None:
    errors = [parse_error_body(raw) for raw in SAMPLES["batch_207"]["errors"]]

    assert [e.ids for e in errors] == [("C1",), ("C3",)]
    conflict, invalid = (error_for_input(e) for e in errors)
    assert isinstance(conflict, ContactExists)
    assert conflict.existing_id == "1001"
    assert type(invalid) is Permanent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # A conflict without a named contact cannot be adopted; it waits for HubSpot to settle.
        ({"category": "CONFLICT", "message": "conflict"}, Conflict),
        # A stale HubSpot id: the projection falls back to the upsert on our id.
        ({"category": "OBJECT_NOT_FOUND", "message": "gone"}, ContactNotFound),
        ({"errorType": "RATE_LIMIT", "message": "limit"}, RateLimited),
        # Some answers give the input's HTTP status instead of a category.
        ({"status": "503", "message": "busy"}, Unavailable),
        ({"status": "error", "category": "VALIDATION_ERROR", "message": "bad"}, Permanent),
    ],
)
def test_batch_input_error_types(raw: dict[str, str], expected: type[Exception]) -> None:
    assert type(error_for_input(parse_error_body(raw))) is expected
