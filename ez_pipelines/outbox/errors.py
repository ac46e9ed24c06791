"""What can go wrong when a record is sent to a vendor, by kind.

Adapters raise these (or their own subclasses); the outbox decides what happens next by type:
a `Retryable` error waits and tries again, a `Permanent` one goes to a person, a `Conflict` gets
a few more tries because the vendor's state may settle, then goes to a person.
"""

from __future__ import annotations

from typing import ClassVar


class SyncError(Exception):
    kind: ClassVar[str] = "permanent"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        retry_after_s: float | None = None,
        vendor_code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.retry_after_s = retry_after_s
        self.vendor_code = vendor_code


class Retryable(SyncError):
    """The vendor could not take the request now; the same request may succeed later."""

    kind = "retryable"


class Unavailable(Retryable):
    """A 5xx, a dropped connection or a timeout: the effect at the vendor is unknown."""


class RateLimited(Retryable):
    """The vendor's request-rate window is full."""


class ConcurrencyLimited(Retryable):
    """Too many of our requests were in flight at once."""


class AuthenticationFailed(Retryable):
    """Credentials were refused. Every row fails alike, so rows wait for a person to fix the
    credentials rather than each becoming a dead letter."""


class Permanent(SyncError):
    """The vendor refused the content; sending it again unchanged will fail again."""

    kind = "permanent"


class Conflict(SyncError):
    """The vendor's state disagrees with ours in a way the adapter could not resolve."""

    kind = "conflict"


class RecordMissing(Permanent):
    """The canonical record behind an outbox row no longer exists."""
