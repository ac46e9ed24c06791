"""NetSuite's error answers, parsed at the boundary and turned into the outbox's error types.

SuiteTalk REST answers failures with an `nsError` body: `type`, `title`, `status` and a list of
`o:errorDetails`, each with a `detail`, an `o:errorCode` and, for content errors, an
`o:errorPath` into the request body
(https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from ez_pipelines.outbox.errors import (
    AuthenticationFailed,
    ConcurrencyLimited,
    Conflict,
    Permanent,
    SyncError,
    Unavailable,
)
from ez_pipelines.vendors.http import retry_after_s

# Error bodies can echo the values we sent; keep enough to act on, not whole records.
BODY_LIMIT = 300

# REST web services answer the account's concurrency limit with 429; RESTlets use a 400 with
# SSS_REQUEST_LIMIT_EXCEEDED. Both mean "too many at once, try again", whatever the status.
CONCURRENCY_CODES = frozenset({"CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED"})


@dataclass(frozen=True)
class ErrorDetail:
    detail: str
    code: str | None = None
    path: str | None = None
    header: str | None = None
    query_param: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class NsError:
    title: str
    status: int | None
    type: str | None
    details: tuple[ErrorDetail, ...]

    @property
    def code(self) -> str | None:
        return next((d.code for d in self.details if d.code), None)

    @property
    def path(self) -> str | None:
        return next((d.path for d in self.details if d.path), None)

    @property
    def summary(self) -> str:
        parts = [f"{d.code}: {d.detail}" if d.code else d.detail for d in self.details]
        return "; ".join(parts) or self.title


def parse_ns_error(body: Any) -> NsError | None:
    """The nsError in a decoded JSON body, or None when the body is not one."""
    if not isinstance(body, dict):
        return None
    raw_details = body.get("o:errorDetails")
    if not isinstance(raw_details, list) and "title" not in body:
        return None
    details = tuple(
        ErrorDetail(
            detail=_text(item.get("detail")) or "",
            code=_text(item.get("o:errorCode")),
            path=_text(item.get("o:errorPath")),
            header=_text(item.get("o:errorHeader")),
            query_param=_text(item.get("o:errorQueryParam")),
            url=_text(item.get("o:errorUrl")),
        )
        for item in (raw_details if isinstance(raw_details, list) else [])
        if isinstance(item, dict)
    )
    status = body.get("status")
    return NsError(
        title=_text(body.get("title")) or "",
        status=status if isinstance(status, int) else None,
        type=_text(body.get("type")),
        details=details,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class NetSuiteError(SyncError):
    """Any refusal by NetSuite; the concrete classes below also carry the outbox's kind."""

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        ns_error: NsError | None = None,
    ) -> None:
        code = ns_error.code if ns_error else None
        super().__init__(
            message, http_status=http_status, retry_after_s=retry_after_s, vendor_code=code
        )
        self.ns_error = ns_error

    @property
    def error_code(self) -> str | None:
        return self.vendor_code

    @property
    def error_path(self) -> str | None:
        return self.ns_error.path if self.ns_error else None


class NetSuiteUnavailable(NetSuiteError, Unavailable):
    pass


class NetSuiteConcurrencyLimited(NetSuiteError, ConcurrencyLimited):
    pass


class NetSuiteLoginRefused(NetSuiteError, AuthenticationFailed):
    pass


class NetSuiteRejected(NetSuiteError, Permanent):
    """NetSuite refused the content (validation, a bad reference, an unknown record)."""


class NetSuiteConflict(NetSuiteError, Conflict):
    pass


class NetSuiteUnexpectedAnswer(NetSuiteError, Conflict):
    """A success whose shape we cannot read (no record location, a record that is not there
    yet): NetSuite's state may settle, so it gets the few more tries a conflict gets."""


class InvalidExternalId(Permanent):
    """An id NetSuite would misread as an external id; refused before anything is sent."""


def error_from_response(response: requests.Response, *, operation: str) -> NetSuiteError:
    """The typed error for a non-2xx answer; `operation` names the call, e.g. `PUT customer`."""
    status = response.status_code
    ns_error = _ns_error_of(response)
    code = ns_error.code if ns_error else None
    what = _snippet(ns_error.summary if ns_error else response.text)
    message = f"netsuite {operation}: HTTP {status}: {what}"
    kwargs: dict[str, Any] = {
        "http_status": status,
        "retry_after_s": retry_after_s(response),
        "ns_error": ns_error,
    }

    if code in CONCURRENCY_CODES or status == 429:
        return NetSuiteConcurrencyLimited(message, **kwargs)
    if code == "IDEMPOTENCY_ERROR":
        return NetSuiteConflict(message, **kwargs)
    # A role without a permission fails every row alike, as bad credentials do: rows wait for a
    # person to fix the role instead of each becoming a dead letter.
    if status in (401, 403):
        return NetSuiteLoginRefused(message, **kwargs)
    if status >= 500 or status == 408:
        return NetSuiteUnavailable(message, **kwargs)
    return NetSuiteRejected(message, **kwargs)


def _ns_error_of(response: requests.Response) -> NsError | None:
    try:
        return parse_ns_error(response.json())
    except ValueError:
        return None


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:BODY_LIMIT] + ("..." if len(flat) > BODY_LIMIT else "") if flat else "(no body)"
