"""The JSON a HubSpot stand-in answers with, shaped as the CRM v3 API documents it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ez_pipelines.sandbox.hubspot.store import InvalidProperties, timestamp

Body = dict[str, Any]


def error_body(
    message: str,
    category: str,
    *,
    errors: Sequence[Body] = (),
    context: dict[str, list[str]] | None = None,
) -> Body:
    """HubSpot's `Error`: what a failed request answers."""
    body: Body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
    }
    if errors:
        body["errors"] = list(errors)
    if context:
        body["context"] = context
    return body


def input_error(message: str, category: str, input_id: str, **extra: Any) -> Body:
    """HubSpot's `StandardError`: one failed input of a batch, naming the input in `context`."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": {"ids": [input_id]},
        "errors": [],
        "links": {},
        **extra,
    }


def validation_details(error: InvalidProperties) -> list[Body]:
    return [
        {"message": p.message, "code": p.code, "context": {"propertyName": [p.name]}}
        for p in error.problems
    ]


def validation_message(error: InvalidProperties) -> str:
    names = ", ".join(sorted({p.name for p in error.problems}))
    return f"Property values were not valid: {names}"


def exists_message(existing_id: str) -> str:
    return f"Contact already exists. Existing ID: {existing_id}"


def unique_message(name: str, holder_id: str) -> str:
    return f"Another contact ({holder_id}) already has this value of unique property {name}"


def rate_limit_body() -> Body:
    """The 429 answer (https://developers.hubspot.com/docs/api/usage-details)."""
    return {
        "status": "error",
        "message": "You have reached your ten_secondly_rolling limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": "TEN_SECONDLY_ROLLING",
    }


def batch_body(
    results: Sequence[Body], errors: Sequence[Body], started: datetime, completed: datetime
) -> tuple[int, Body]:
    """A batch answer: 200 when every input succeeded, 207 multi-status otherwise."""
    body: Body = {
        "status": "COMPLETE",
        "results": list(results),
        "startedAt": timestamp(started),
        "completedAt": timestamp(completed),
    }
    if not errors:
        return 200, body
    body["numErrors"] = len(errors)
    body["errors"] = list(errors)
    return 207, body
