"""Faults a stand-in can be told to inject, drawn from a seeded generator so runs repeat."""

from __future__ import annotations

import asyncio
import random
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class Fault(StrEnum):
    NONE = "none"
    ERROR = "error"  # a 5xx before anything is written
    TIMEOUT = "timeout"  # hang before anything is written, then fail
    TIMEOUT_AFTER_COMMIT = "timeout_after_commit"  # write, then hang past the client's timeout


@dataclass
class Faults:
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_after_commit_rate: float = 0.0
    latency_ms: float = 0.0
    hang_s: float = 5.0
    """How long a timeout hangs; set it above the client's read timeout."""
    seed: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        faults = cls(**data)
        for name in ("error_rate", "timeout_rate", "timeout_after_commit_rate"):
            if not 0.0 <= getattr(faults, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        return faults

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Rolls one fault per request. Stand-ins call it on their event loop, so no lock is needed."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.configure(faults or Faults())

    def configure(self, faults: Faults) -> None:
        self.faults = faults
        self.rng = random.Random(faults.seed)
        self.injected: dict[str, int] = {fault.value: 0 for fault in Fault}

    def roll(self) -> Fault:
        draw = self.rng.random()
        fault = Fault.NONE
        for candidate, rate in (
            (Fault.ERROR, self.faults.error_rate),
            (Fault.TIMEOUT, self.faults.timeout_rate),
            (Fault.TIMEOUT_AFTER_COMMIT, self.faults.timeout_after_commit_rate),
        ):
            if draw < rate:
                fault = candidate
                break
            draw -= rate
        self.injected[fault.value] += 1
        return fault

    async def delay(self) -> None:
        if self.faults.latency_ms > 0:
            await asyncio.sleep(self.faults.latency_ms / 1000)

    async def hang(self) -> None:
        await asyncio.sleep(self.faults.hang_s)
