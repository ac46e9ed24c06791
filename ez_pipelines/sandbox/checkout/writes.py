"""One write to the payments API: idempotency key, validation, processing time, commit.

The order matters. A key already answered replays that answer before anything else is looked
at; a key still being processed is refused with 429 `duplicate_request`; a body that fails
validation is refused without touching the key, so the same key can be used again with a
corrected body. Only a processed (2xx) answer is kept for replay.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ez_pipelines.clock import Clock
from ez_pipelines.sandbox.checkout.bodies import error_body
from ez_pipelines.sandbox.checkout.gate import IdempotencyKeys, InProgress, Replay
from ez_pipelines.sandbox.checkout.knobs import Knobs
from ez_pipelines.sandbox.checkout.ledger import Refused
from ez_pipelines.sandbox.checkout.validation import Invalid

Answer = tuple[int, Any]
IDEMPOTENCY_HEADER = "Cko-Idempotency-Key"


@dataclass(frozen=True)
class Write:
    check: Callable[[Any], Any]
    """Reads the JSON body into a request; raises Invalid (422) or Refused (404)."""
    commit: Callable[[Any], Answer]
    """Applies the checked request; raises Refused when the payment's state forbids it."""


async def idempotent_write(
    request: Request,
    request_id: str,
    write: Write,
    *,
    keys: IdempotencyKeys,
    clock: Clock,
    knobs: Knobs,
    settle: Callable[[], object],
) -> Response:
    raw = await request.body()
    try:
        document = json.loads(raw) if raw.strip() else None
    except ValueError:
        return JSONResponse({"request_id": request_id, "error_type": "request_malformed"}, 422)

    scope, key = request.url.path, request.headers.get(IDEMPOTENCY_HEADER)
    if key:
        entry = keys.lookup(scope, key, now=clock.monotonic(), ttl_s=knobs.idempotency_ttl_s)
        if isinstance(entry, InProgress):
            body = error_body(request_id, "too_many_requests", ["duplicate_request"])
            return JSONResponse(body, status_code=429)
        if isinstance(entry, Replay):
            return _response(entry.status, entry.body)

    try:
        checked = write.check(document)
    except Invalid as invalid:
        return _response(422, error_body(request_id, "request_invalid", invalid.codes))
    except Refused as refused:
        return _response(*_refusal(request_id, refused))

    if key:
        keys.begin(scope, key)
    try:
        if knobs.processing_delay_ms:
            await asyncio.sleep(knobs.processing_delay_ms / 1000)
        # Time passed while processing: a scheduled capture may be due before this commit.
        settle()
        status, body = write.commit(checked)
    except Refused as refused:
        status, body = _refusal(request_id, refused)
    except BaseException:
        if key:
            keys.abandon(scope, key)
        raise
    if key:
        keys.finish(scope, key, status=status, body=body, now=clock.monotonic())
    return _response(status, body)


def _refusal(request_id: str, refused: Refused) -> Answer:
    # 403 and 404 carry no body in the spec; a 422 is a ValidationError with its codes.
    if refused.codes:
        return refused.status, error_body(request_id, "request_invalid", refused.codes)
    return refused.status, None


def _response(status: int, body: Any) -> Response:
    if body is None:
        return Response(status_code=status)
    return JSONResponse(body, status_code=status)
