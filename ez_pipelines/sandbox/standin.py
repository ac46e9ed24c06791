"""What every vendor stand-in shares: fault injection, in-flight tracking, inspection."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from ez_pipelines.sandbox.faults import FaultInjector, Faults


class StandIn:
    """Base of the stand-ins. Subclasses set `name`, build `router`, and keep their records.

    Handlers are `async` and run on the server's one event loop, so state needs no locks; the
    in-flight count is the number of requests between arrival and response, which is what a
    vendor's concurrency limit counts.
    """

    name = "standin"

    def __init__(self) -> None:
        self.router = APIRouter()
        self.faults = FaultInjector()
        self.in_flight = 0
        self.max_in_flight_seen = 0
        self.requests: Counter[str] = Counter()
        self.responses: Counter[int] = Counter()

    @asynccontextmanager
    async def tracked(self, operation: str) -> AsyncIterator[int]:
        """Count a request in flight for its whole life; yields the count including itself."""
        self.in_flight += 1
        self.max_in_flight_seen = max(self.max_in_flight_seen, self.in_flight)
        self.requests[operation] += 1
        try:
            yield self.in_flight
        finally:
            self.in_flight -= 1

    def set_faults(self, faults: Faults) -> None:
        self.faults.configure(faults)

    def configure(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Change stand-in specific settings (limits, lags); returns them all."""
        known = self.settings()
        unknown = set(settings) - set(known)
        if unknown:
            raise ValueError(f"unknown settings for {self.name}: {sorted(unknown)}")
        for key, value in settings.items():
            setattr(self, key, type(known[key])(value))
        return self.settings()

    def settings(self) -> dict[str, Any]:
        return {}

    def stats(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "responses": {str(k): v for k, v in sorted(self.responses.items())},
            "in_flight": self.in_flight,
            "max_in_flight_seen": self.max_in_flight_seen,
            "faults": self.faults.faults.as_json(),
            "faults_injected": dict(self.faults.injected),
        }

    def inspect(self) -> dict[str, Any]:
        """Everything the stand-in holds, for tests and the demo to compare with our view."""
        raise NotImplementedError

    def reset(self) -> None:
        self.faults.configure(Faults())
        self.max_in_flight_seen = 0
        self.requests.clear()
        self.responses.clear()
