"""The rolling-window limiter waits exactly until the oldest request leaves the window."""

from __future__ import annotations

import threading

import pytest

from ez_pipelines.clock import ManualClock
from ez_pipelines.vendors.ratelimit import RollingWindowLimiter


def test_191st_request_in_one_instant_waits_the_whole_window(clock: ManualClock) -> None:
    limiter = RollingWindowLimiter(190, 10.0, clock=clock)

    for _ in range(190):
        limiter.acquire()
    assert clock.slept == []

    assert limiter.acquire() == 10.0
    assert clock.slept == [10.0]


def test_waits_only_until_the_oldest_request_leaves_the_window(clock: ManualClock) -> None:
    limiter = RollingWindowLimiter(190, 10.0, clock=clock)
    limiter.acquire()  # t=0
    clock.advance(4.0)
    for _ in range(189):
        limiter.acquire()  # t=4
    clock.advance(2.0)

    limiter.acquire()  # t=6: the request at t=0 leaves at t=10
    limiter.acquire()  # t=10: the next oldest, from t=4, leaves at t=14

    assert clock.slept == [4.0, 4.0]


def test_requests_older_than_the_window_no_longer_count(clock: ManualClock) -> None:
    limiter = RollingWindowLimiter(190, 10.0, clock=clock)
    for _ in range(190):
        limiter.acquire()
    clock.advance(10.0)

    for _ in range(190):
        limiter.acquire()

    assert clock.slept == []
    assert limiter.in_window() == 190


def test_concurrent_callers_never_exceed_the_burst_in_any_window(clock: ManualClock) -> None:
    limiter = RollingWindowLimiter(3, 10.0, clock=clock)
    granted: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        at = limiter.acquire()
        with lock:
            granted.append(at)

    threads = [threading.Thread(target=call) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    granted.sort()
    assert len(granted) == 12
    assert all(
        later - earlier >= 10.0 for earlier, later in zip(granted[:-3], granted[3:], strict=True)
    )


@pytest.mark.parametrize(("burst", "window_s"), [(0, 10.0), (190, 0.0)])
def test_limiter_refuses_a_limit_that_lets_nothing_through(burst: int, window_s: float) -> None:
    with pytest.raises(ValueError):
        RollingWindowLimiter(burst, window_s)
