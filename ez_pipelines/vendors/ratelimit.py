"""Our side of a vendor's rolling rate limit: at most `burst` requests in any `window_s`.

HubSpot counts a private app's requests over a rolling ten-second window (190 by default,
https://developers.hubspot.com/changelog/increasing-our-api-limits), Checkout.com an account's
reads and writes per second, and both answer 429 beyond it. Pacing ourselves keeps a large sync
from spending its budget on refusals.
"""

from __future__ import annotations

import threading
from collections import deque

from ez_pipelines.clock import SYSTEM_CLOCK, Clock


class RollingWindowLimiter:
    """Lets a request through once fewer than `burst` were let through in the last `window_s`.

    Each caller reserves its instant under the lock and sleeps outside it, so concurrent callers
    queue for successive slots instead of all waking when the oldest request leaves the window.
    """

    def __init__(self, burst: int, window_s: float, *, clock: Clock = SYSTEM_CLOCK) -> None:
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        if window_s <= 0:
            raise ValueError(f"window_s must be positive, not {window_s}")
        self.burst = burst
        self.window_s = window_s
        self.clock = clock
        self._lock = threading.Lock()
        self._granted: deque[float] = deque()

    def acquire(self) -> float:
        """Wait for a slot; returns the monotonic instant the request was let through."""
        with self._lock:
            now = self.clock.monotonic()
            while self._granted and self._granted[0] <= now - self.window_s:
                self._granted.popleft()
            if len(self._granted) < self.burst:
                granted = now
            else:
                # The slot opens when the oldest of the last `burst` grants leaves the window.
                granted = self._granted.popleft() + self.window_s
            self._granted.append(granted)

        if granted > now:
            self.clock.sleep(granted - now)
        return granted

    def in_window(self) -> int:
        """How many grants the current window holds, including ones reserved for later."""
        with self._lock:
            now = self.clock.monotonic()
            return sum(1 for granted in self._granted if granted > now - self.window_s)
