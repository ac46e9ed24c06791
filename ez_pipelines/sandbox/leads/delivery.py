"""Posting a signed webhook, sometimes more than once and at the same moment, as vendors do."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import requests

TIMEOUT_S = (2.0, 10.0)


class Deliveries:
    """The webhook target and how often a delivery is repeated; counts what was sent."""

    def __init__(self, seed: int = 0) -> None:
        self.url = ""
        self.duplicate_rate = 0.0
        self.rng = random.Random(seed)
        self.sent: Counter[str] = Counter()

    async def send(self, body: bytes, headers: dict[str, str], url: str | None = None) -> int:
        """Deliver `body` once, or with a duplicate at the same moment; the first status."""
        target = url or self.url
        if not target:
            self.sent["unrouted"] += 1
            return 0
        copies = 2 if self.rng.random() < self.duplicate_rate else 1
        statuses = await asyncio.gather(
            *(asyncio.to_thread(_post, target, body, headers) for _ in range(copies))
        )
        self.sent["deliveries"] += 1
        self.sent["duplicates"] += copies - 1
        for status in statuses:
            self.sent[f"status_{status}"] += 1
        return statuses[0]

    def stats(self) -> dict[str, int]:
        return dict(self.sent)


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=TIMEOUT_S, allow_redirects=False
        )
    except requests.RequestException:
        return 0
    return response.status_code
