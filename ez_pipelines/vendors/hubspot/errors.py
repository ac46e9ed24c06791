"""HubSpot's error answers, parsed at the boundary and turned into the outbox's error types.

The CRM v3 APIs answer failures with an `Error` body (`message`, `correlationId`, `category`,
`subCategory`, `errors[]`, `context`); a batch that partly fails lists one `StandardError` per
failed input, which adds `status` and `id`. A 429 instead names the limit it enforced in
`policyName` (https://developers.hubspot.com/docs/api/usage-details).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ez_pipelines.outbox.errors import (
    AuthenticationFailed,
    Conflict,
    Permanent,
    RateLimited,
    SyncError,
    Unavailable,
)

# Error texts can echo the values we sent; keep enough to act on, not whole records.
MESSAGE_LIMIT = 300

# HubSpot names the contact that already holds an email only inside the message text, as
# "Contact already exists. Existing ID: <id>". This is the one place that reads it.
_EXISTING_ID = re.compile(r"Existing ID:\s*(\d+)")

# The daily limit resets at midnight in the portal's own time zone, which the API does not tell
# us; an hour between tries keeps a spent quota from being spent further on refusals.
DAILY_LIMIT_WAIT_S = 3600.0


@dataclass(frozen=True)
class ErrorDetail:
    message: str
    code: str | None = None
    location: str | None = None
    sub_category: str | None = None


@dataclass(frozen=True)
class ErrorBody:
    """One HubSpot error: a whole answer's, or one batch input's."""

    message: str
    category: str | None = None
    sub_category: str | None = None
    correlation_id: str | None = None
    status: str | None = None
    id: str | None = None
    error_type: str | None = None
    policy_name: str | None = None
    context: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    details: tuple[ErrorDetail, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """The inputs this error is about, as far as HubSpot named them."""
        named = [self.id] if self.id else []
        for key in ("ids", "id"):
            named.extend(self.context.get(key, ()))
        return tuple(dict.fromkeys(named))

    @property
    def summary(self) -> str:
        code = self.policy_name or self.category or self.error_type or "error"
        text = f"{code}: {self.message[:MESSAGE_LIMIT]}"
        if self.correlation_id:
            text += f" (correlation id {self.correlation_id})"
        return text


class ContactExists(Conflict):
    """A write was refused because another contact holds the email; HubSpot named that contact."""

    def __init__(self, message: str, *, existing_id: str, http_status: int | None = 409) -> None:
        super().__init__(message, http_status=http_status, vendor_code="CONFLICT")
        self.existing_id = existing_id


class ContactNotFound(Permanent):
    """No contact has the id we asked for: never created, deleted, or merged into another."""


def existing_contact_id(message: str) -> str | None:
    match = _EXISTING_ID.search(message)
    return match.group(1) if match else None


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _context(value: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        return {}
    context: dict[str, tuple[str, ...]] = {}
    for key, entries in value.items():
        if isinstance(entries, list | tuple):
            context[str(key)] = tuple(str(entry) for entry in entries)
        elif entries is not None:
            context[str(key)] = (str(entries),)
    return context


def _details(value: object) -> tuple[ErrorDetail, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        ErrorDetail(
            message=str(entry.get("message", "")),
            code=_text(entry.get("code")),
            location=_text(entry.get("in")),
            sub_category=_text(entry.get("subCategory")),
        )
        for entry in value
        if isinstance(entry, Mapping)
    )


def parse_error_body(raw: object) -> ErrorBody:
    """Read an error body of any shape HubSpot (or a proxy in front of it) may send."""
    if not isinstance(raw, Mapping):
        text = str(raw).strip() if raw is not None else ""
        return ErrorBody(message=text[:MESSAGE_LIMIT] or "no error body")
    return ErrorBody(
        message=str(raw.get("message") or "no message"),
        category=_text(raw.get("category")),
        sub_category=_text(raw.get("subCategory")),
        correlation_id=_text(raw.get("correlationId")),
        status=_text(raw.get("status")),
        id=_text(raw.get("id")),
        error_type=_text(raw.get("errorType")),
        policy_name=_text(raw.get("policyName")),
        context=_context(raw.get("context")),
        details=_details(raw.get("errors")),
    )


def rate_limit_interval_s(headers: Mapping[str, str]) -> float | None:
    """The length of the window a 429 was counted in, from `X-HubSpot-RateLimit-Interval-...`."""
    value = headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")
    try:
        return float(value) / 1000 if value is not None else None
    except ValueError:
        return None


def _rate_limit_wait(
    body: ErrorBody, retry_after_s: float | None, interval_s: float | None, default_window_s: float
) -> float:
    if retry_after_s is not None:
        return retry_after_s
    if body.policy_name == "DAILY":
        return DAILY_LIMIT_WAIT_S
    # Without Retry-After we cannot tell when our oldest counted request leaves the rolling
    # window; a whole window is the wait that is certain to find it empty of our earlier tries.
    return interval_s if interval_s is not None else default_window_s


def error_for_status(
    status: int,
    body: ErrorBody,
    *,
    retry_after_s: float | None = None,
    interval_s: float | None = None,
    default_window_s: float = 10.0,
) -> SyncError:
    """The outbox's error type for a whole HubSpot answer with HTTP status `status`."""
    message = f"hubspot HTTP {status} {body.summary}"
    if status == 429:
        wait = _rate_limit_wait(body, retry_after_s, interval_s, default_window_s)
        return RateLimited(
            message,
            http_status=status,
            retry_after_s=wait,
            vendor_code=body.policy_name or body.error_type or "RATE_LIMIT",
        )
    if status >= 500 or status == 408:
        return Unavailable(message, http_status=status, retry_after_s=retry_after_s)
    # 403 means the app lacks a scope: like a refused token, every record fails alike until a
    # person changes the app, so it waits for them instead of filling the dead-letter queue.
    if status in (401, 403):
        return AuthenticationFailed(message, http_status=status, vendor_code=body.category)
    if status == 404:
        return ContactNotFound(message, http_status=status, vendor_code=body.category)
    if status == 409:
        existing = existing_contact_id(body.message)
        if existing is not None:
            return ContactExists(message, existing_id=existing, http_status=status)
        return Conflict(message, http_status=status, vendor_code=body.category)
    return Permanent(message, http_status=status, vendor_code=body.category)


def error_for_input(item: ErrorBody) -> SyncError:
    """The outbox's error type for one failed input of a batch answered 207."""
    if item.status is not None and item.status.isdigit():
        return error_for_status(int(item.status), item)
    message = f"hubspot batch input {item.summary}"
    existing = existing_contact_id(item.message)
    if existing is not None:
        return ContactExists(message, existing_id=existing, http_status=None)
    if item.category == "CONFLICT":
        return Conflict(message, vendor_code=item.category)
    if item.category == "OBJECT_NOT_FOUND":
        return ContactNotFound(message, vendor_code=item.category)
    if item.category == "RATE_LIMITS" or item.error_type == "RATE_LIMIT":
        return RateLimited(message, vendor_code=item.category or item.error_type)
    return Permanent(message, vendor_code=item.category)
