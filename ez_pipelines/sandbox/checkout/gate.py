"""What stands before a write: the idempotency keys already seen, and the rate limit.

Idempotency follows https://checkout.com/docs/payments/manage-payments/retry-a-payment: a key
whose first request was processed answers the same status and body again; a key whose first
request is still being processed answers 429 `duplicate_request`; a first request that failed
validation leaves no trace. Rate limits follow
https://checkout.com/docs/developer-resources/api/api-rate-limits: reads and writes are counted
apart, each per second.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any
    stored_at: float


class InProgress:
    """The first request with this key has not been answered yet."""


IN_PROGRESS = InProgress()


class IdempotencyKeys:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Replay | InProgress] = {}

    def lookup(
        self, scope: str, key: str, *, now: float, ttl_s: float
    ) -> Replay | InProgress | None:
        entry = self._entries.get((scope, key))
        if isinstance(entry, Replay) and now - entry.stored_at >= ttl_s:
            del self._entries[scope, key]
            return None
        return entry

    def begin(self, scope: str, key: str) -> None:
        self._entries[scope, key] = IN_PROGRESS

    def finish(self, scope: str, key: str, *, status: int, body: Any, now: float) -> None:
        """Keep a processed answer for replay; release the key of anything refused."""
        if 200 <= status < 300:
            self._entries[scope, key] = Replay(status, body, now)
        else:
            self._entries.pop((scope, key), None)

    def abandon(self, scope: str, key: str) -> None:
        self._entries.pop((scope, key), None)

    def __len__(self) -> int:
        return sum(1 for entry in self._entries.values() if isinstance(entry, Replay))

    def clear(self) -> None:
        self._entries.clear()


class RateLimit:
    """Requests per second, counted in a sliding one-second window per kind (read, write)."""

    WINDOW_S = 1.0

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {"read": deque(), "write": deque()}
        self.refused = 0

    def admit(self, kind: str, *, now: float, per_second: int) -> bool:
        seen = self._seen[kind]
        while seen and seen[0] <= now - self.WINDOW_S:
            seen.popleft()
        if len(seen) >= per_second:
            self.refused += 1
            return False
        seen.append(now)
        return True

    def clear(self) -> None:
        for seen in self._seen.values():
            seen.clear()
        self.refused = 0
