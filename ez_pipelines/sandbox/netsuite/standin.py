"""A local NetSuite: the SuiteTalk REST record service as its documentation describes it.

Mounted under `/netsuite`, it answers `/services/rest/record/v1/{recordType}[/{id|eid:...}]`:
POST creates (204 and the new record's `Location`), GET reads or lists, PUT upserts by external
id only, PATCH updates. Every request must carry a valid token-based-authentication signature,
and the account's concurrency limit counts every request in flight. Sources, under
https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/: section_1545141395.html
(create), section_156335203191.html (upsert), section_156334828635.html (external ids).
"""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from ez_pipelines.sandbox.faults import Fault
from ez_pipelines.sandbox.netsuite.nserror import (
    INVALID_LOGIN_DETAIL,
    Refused,
    invalid_content,
    no_such_record,
    ns_error,
)
from ez_pipelines.sandbox.netsuite.oauth import TokenChecker
from ez_pipelines.sandbox.netsuite.queries import external_id_filter, page_bounds
from ez_pipelines.sandbox.netsuite.records import (
    Record,
    RecordStore,
    external_id_of,
    record_type_named,
)
from ez_pipelines.sandbox.standin import StandIn
from ez_pipelines.settings import NetSuiteSettings, Settings

log = logging.getLogger(__name__)

RECORDS_ROOT = "/services/rest/record/v1"
FORM_ENCODED = "application/x-www-form-urlencoded"

Answer = Callable[[Record | None], Response]


@dataclass(frozen=True)
class Received:
    """A request as it arrived, kept in memory for tests that check what went over the wire."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class NetSuiteStandIn(StandIn):
    name = "netsuite"

    def __init__(
        self, credentials: NetSuiteSettings | None = None, *, max_in_flight: int = 5
    ) -> None:
        super().__init__()
        self.credentials = credentials or Settings.from_env().netsuite
        self.default_max_in_flight = max_in_flight
        self.max_in_flight = max_in_flight
        self.tokens = TokenChecker(self.credentials)
        self.store = RecordStore()
        self.received: deque[Received] = deque(maxlen=500)

        route = self.router.add_api_route
        one = f"{RECORDS_ROOT}/{{record_type}}/{{ref}}"
        for path in (f"{RECORDS_ROOT}/{{record_type}}", f"{RECORDS_ROOT}/{{record_type}}/"):
            route(path, self.list_records, methods=["GET"], response_model=None)
        route(
            f"{RECORDS_ROOT}/{{record_type}}",
            self.create_record,
            methods=["POST"],
            response_model=None,
        )
        route(one, self.get_record, methods=["GET"], response_model=None)
        route(one, self.upsert_record, methods=["PUT"], response_model=None)
        route(one, self.update_record, methods=["PATCH"], response_model=None)
        route(one, self.delete_record, methods=["DELETE"], response_model=None)

    def settings(self) -> dict[str, Any]:
        return {"max_in_flight": self.max_in_flight}

    def inspect(self) -> dict[str, Any]:
        return {"records": self.store.snapshot(), "counts": self.store.counts()}

    def reset(self) -> None:
        super().reset()
        self.max_in_flight = self.default_max_in_flight
        self.store.reset()
        self.tokens.forget()
        self.received.clear()

    async def list_records(self, request: Request, record_type: str) -> Response:
        def answer(_: Record | None) -> Response:
            kind = record_type_named(record_type)
            limit, offset = page_bounds(request.query_params)
            ids = self.store.matching(kind, external_id_filter(request.query_params.get("q")))
            page = ids[offset : offset + limit]
            items = [{"links": _links(_record_url(request, kind, i)), "id": i} for i in page]
            body = {
                "links": _links(str(request.url)),
                "count": len(page),
                "hasMore": offset + len(page) < len(ids),
                "items": items,
                "offset": offset,
                "totalResults": len(ids),
            }
            return JSONResponse(body)

        return await self._serve(request, "list", answer)

    async def get_record(self, request: Request, record_type: str, ref: str) -> Response:
        def answer(_: Record | None) -> Response:
            kind = record_type_named(record_type)
            record = self.store.find(kind, ref)
            if record is None:
                raise no_such_record()
            return JSONResponse(
                {"links": _links(_record_url(request, kind, record["id"])), **record}
            )

        return await self._serve(request, "get", answer)

    async def create_record(self, request: Request, record_type: str) -> Response:
        def answer(body: Record | None) -> Response:
            kind = record_type_named(record_type)
            return _written(request, kind, self.store.create(kind, body or {}))

        return await self._serve(request, "create", answer, has_body=True)

    async def upsert_record(self, request: Request, record_type: str, ref: str) -> Response:
        def answer(body: Record | None) -> Response:
            kind = record_type_named(record_type)
            external_id = external_id_of(ref)
            if external_id is None:
                raise invalid_content(
                    "The upsert operation needs an external ID in the URL (eid:...); "
                    "update a record by internal ID with PATCH."
                )
            internal_id, _ = self.store.upsert(kind, external_id, body or {})
            return _written(request, kind, internal_id)

        return await self._serve(request, "upsert", answer, has_body=True)

    async def update_record(self, request: Request, record_type: str, ref: str) -> Response:
        def answer(body: Record | None) -> Response:
            kind = record_type_named(record_type)
            return _written(request, kind, self.store.update(kind, ref, body or {}))

        return await self._serve(request, "update", answer, has_body=True)

    async def delete_record(self, request: Request, record_type: str, ref: str) -> Response:
        def answer(_: Record | None) -> Response:
            self.store.delete(record_type_named(record_type), ref)
            return Response(status_code=204)

        return await self._serve(request, "delete", answer)

    async def _serve(
        self, request: Request, operation: str, answer: Answer, *, has_body: bool = False
    ) -> Response:
        async with self.tracked(operation) as in_flight:
            raw = await request.body()
            self.received.append(
                Received(
                    request.method,
                    request.url.path,
                    request.url.query,
                    {k.lower(): v for k, v in request.headers.items()},
                    raw,
                )
            )
            response = await self._answer(request, in_flight, answer, raw, has_body=has_body)
        self.responses[response.status_code] += 1
        return response

    async def _answer(
        self, request: Request, in_flight: int, answer: Answer, raw: bytes, *, has_body: bool
    ) -> Response:
        form = request.headers.get("content-type", "").startswith(FORM_ENCODED)
        refusal = self.tokens.refusal(
            request.method,
            _signed_url(request),
            request.headers.get("authorization"),
            form_body=raw.decode("utf-8", "replace") if form and raw else None,
        )
        if refusal is not None:
            log.debug("netsuite stand-in refused a login: %s", refusal)
            return ns_error(401, "INVALID_LOGIN", INVALID_LOGIN_DETAIL)
        if in_flight > self.max_in_flight:
            # Oracle documents the account-wide limit but not the REST answer to exceeding it;
            # third parties report 429 with CONCURRENCY_LIMIT_EXCEEDED for REST web services
            # (RESTlets answer 400 SSS_REQUEST_LIMIT_EXCEEDED instead).
            return ns_error(
                429,
                "CONCURRENCY_LIMIT_EXCEEDED",
                "The account's limit of concurrent requests is reached; the request was refused.",
            )

        fault = self.faults.roll()
        await self.faults.delay()
        if fault is Fault.ERROR:
            return ns_error(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")
        if fault is Fault.TIMEOUT:
            await self.faults.hang()
            return PlainTextResponse("Gateway Timeout", status_code=504)

        # X-NetSuite-Idempotency-Key only applies to asynchronous requests (Prefer:
        # respond-async), which this stand-in does not offer: a synchronous request that
        # carries the key is processed again, as NetSuite processes it.
        try:
            response = answer(_json_object(request, raw) if has_body else None)
        except Refused as refused:
            return refused.response()
        if fault is Fault.TIMEOUT_AFTER_COMMIT:
            await self.faults.hang()
        return response


def _signed_url(request: Request) -> str:
    """The URL as the client sent it, percent-escapes kept: the signature covers that form, and
    the decoded path Starlette rebuilds `request.url` from can differ (`eid%3AC-1`)."""
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string") or b""
    url = f"{request.url.scheme}://{request.url.netloc}{raw_path.decode('latin-1')}"
    return f"{url}?{query.decode('latin-1')}" if query else url


def _json_object(request: Request, raw: bytes) -> Record:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise invalid_content("The request body must be JSON (Content-Type: application/json).")
    try:
        body = json.loads(raw)
    except ValueError:
        raise invalid_content("The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise invalid_content("The request body must be a JSON object.")
    return body


def _record_url(request: Request, record_type: str, internal_id: str) -> str:
    """The absolute URL of a record, under whatever prefix the stand-in is mounted at."""
    path = request.url.path
    root = path[: path.index(RECORDS_ROOT) + len(RECORDS_ROOT)]
    return f"{request.url.scheme}://{request.url.netloc}{root}/{record_type}/{internal_id}"


def _links(href: str) -> list[dict[str, str]]:
    return [{"rel": "self", "href": href}]


def _written(request: Request, record_type: str, internal_id: str) -> Response:
    location = _record_url(request, record_type, internal_id)
    return Response(status_code=204, headers={"Location": location})
