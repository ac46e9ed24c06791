"""Backoff: doubling ceilings, full jitter, a cap, Retry-After, a budget by attempts and age."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from ez_pipelines.outbox.backoff import RetryPolicy, decide
from ez_pipelines.outbox.errors import Conflict, Permanent, RateLimited, Unavailable

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_ceilings_double_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_s=1, cap_s=30)

    assert [policy.ceiling(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_delays_are_full_jitter_drawn_from_the_injected_generator() -> None:
    policy = RetryPolicy(base_s=1, cap_s=30)
    rng = random.Random(7)
    sequence = [policy.delay(n, rng) for n in range(1, 7)]
    reference = random.Random(7)
    assert sequence == [reference.uniform(0, policy.ceiling(n)) for n in range(1, 7)]
    assert all(0 <= d <= policy.ceiling(n) for n, d in enumerate(sequence, start=1))


def test_retry_after_from_the_vendor_is_a_floor() -> None:
    policy = RetryPolicy(base_s=1, cap_s=30)

    assert policy.delay(1, random.Random(1), retry_after_s=12.5) == 12.5
    assert policy.delay(10, random.Random(1), retry_after_s=0.001) > 0.001


@pytest.mark.parametrize(
    ("error", "attempts", "dead"),
    [
        # A rate limit is retried however often it happens, inside the budget.
        (RateLimited("429"), 3, False),
        (Unavailable("503"), 99, False),
        # The attempt budget ends retries of even a retryable error.
        (Unavailable("503"), 100, True),
        # Validation errors never improve by waiting.
        (Permanent("bad email"), 1, True),
        # Conflicts get a few chances for the vendor's state to settle.
        (Conflict("exists"), 4, False),
        (Conflict("exists"), 5, True),
    ],
)
def test_decision_by_error_type(error: Exception, attempts: int, dead: bool) -> None:
    decision = decide(
        RetryPolicy(), error, attempts=attempts, enqueued_at=NOW, now=NOW, rng=random.Random(0)
    )

    assert decision.is_dead is dead


def test_a_change_older_than_the_age_budget_goes_to_a_person() -> None:
    policy = RetryPolicy(max_age=timedelta(hours=48))
    enqueued = NOW - timedelta(hours=48, seconds=1)

    decision = decide(
        policy, Unavailable("503"), attempts=2, enqueued_at=enqueued, now=NOW, rng=random.Random(0)
    )

    assert decision.is_dead
    assert "48.0 h old" in (decision.dead_reason or "")


def test_last_retry_is_scheduled_no_later_than_the_age_budget() -> None:
    policy = RetryPolicy(base_s=3600, cap_s=3600, max_age=timedelta(hours=48))
    enqueued = NOW - timedelta(hours=47, minutes=59)

    decision = decide(
        policy,
        RateLimited("429", retry_after_s=7200),
        attempts=30,
        enqueued_at=enqueued,
        now=NOW,
        rng=random.Random(0),
    )

    assert decision.retry_at == enqueued + timedelta(hours=48)


def test_default_schedule_outlasts_a_thirty_hour_resend_window() -> None:
    """The budget must outlast the longest sender window, or retried events are dropped early."""
    policy = RetryPolicy()
    rng = random.Random(3)
    elapsed = timedelta()
    attempts = 0
    while True:
        attempts += 1
        decision = decide(
            policy,
            Unavailable("503"),
            attempts=attempts,
            enqueued_at=NOW,
            now=NOW + elapsed,
            rng=rng,
        )
        if decision.is_dead:
            break
        assert decision.retry_at is not None
        elapsed = decision.retry_at - NOW

    assert elapsed >= timedelta(hours=30)
