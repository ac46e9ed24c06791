"""When to try again: exponential backoff with full jitter, a cap, and the vendor's Retry-After.

Full jitter draws each delay uniformly from [0, ceiling], with the ceiling doubling per attempt up
to a cap, so many rows failing together spread out instead of retrying in lockstep. A retry budget
by attempts and by age decides when a person must look instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ez_pipelines.outbox.errors import Conflict, Retryable, SyncError
from ez_pipelines.settings import RetrySettings


@dataclass(frozen=True)
class RetryPolicy:
    base_s: float = 1.0
    cap_s: float = 3600.0
    max_attempts: int = 100
    # Outlasts the longest resend window of any sender (Checkout.com resends for about 30 h).
    max_age: timedelta = timedelta(hours=48)
    conflict_attempts: int = 5

    @classmethod
    def from_settings(cls, retry: RetrySettings) -> RetryPolicy:
        return cls(
            base_s=retry.base_s,
            cap_s=retry.cap_s,
            max_attempts=retry.max_attempts,
            max_age=retry.max_age,
        )

    def ceiling(self, attempt: int) -> float:
        """Largest delay after the `attempt`-th failure (1-based)."""
        exponent = min(max(attempt - 1, 0), 62)
        return float(min(self.cap_s, self.base_s * 2**exponent))

    def delay(self, attempt: int, rng: random.Random, retry_after_s: float | None = None) -> float:
        jittered = rng.uniform(0.0, self.ceiling(attempt))
        if retry_after_s is not None and retry_after_s > jittered:
            return retry_after_s
        return jittered


@dataclass(frozen=True)
class Decision:
    retry_at: datetime | None
    dead_reason: str | None = None

    @property
    def is_dead(self) -> bool:
        return self.retry_at is None


def decide(
    policy: RetryPolicy,
    error: SyncError,
    *,
    attempts: int,
    enqueued_at: datetime,
    now: datetime,
    rng: random.Random,
) -> Decision:
    """What to do after the `attempts`-th failed attempt of a change first made at `enqueued_at`."""
    if isinstance(error, Conflict):
        if attempts >= policy.conflict_attempts:
            return Decision(None, f"conflict unresolved after {attempts} attempts: {error}")
    elif not isinstance(error, Retryable):
        return Decision(None, f"permanent error: {error}")

    if attempts >= policy.max_attempts:
        return Decision(None, f"retry budget spent: {attempts} attempts; last error: {error}")
    deadline = enqueued_at + policy.max_age
    if now >= deadline:
        age_h = (now - enqueued_at).total_seconds() / 3600
        return Decision(None, f"retry budget spent: change is {age_h:.1f} h old; last: {error}")

    retry_at = now + timedelta(seconds=policy.delay(attempts, rng, error.retry_after_s))
    return Decision(min(retry_at, deadline))
