"""Identifiers shaped like Checkout.com's, drawn from a seeded generator so runs repeat."""

from __future__ import annotations

import random
import string
from datetime import datetime

# Checkout.com ids are a prefix and 26 characters of lowercase base32 (`pay_y3oqhf46...`).
_BASE32 = string.ascii_lowercase + "234567"
_REQUEST_ID = string.ascii_uppercase + string.digits
ID_LENGTH = 26


class IdSource:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def new(self, prefix: str) -> str:
        """`pay`, `act`, `evt`, `src`... followed by 26 base32 characters."""
        return f"{prefix}_{''.join(self.rng.choices(_BASE32, k=ID_LENGTH))}"

    def request_id(self) -> str:
        """What Checkout.com answers in `Cko-Request-Id` and an error's `request_id`."""
        return "".join(self.rng.choices(_REQUEST_ID, k=13))


def instant(moment: datetime) -> str:
    """An ISO 8601 UTC instant with microseconds and a `Z`, as the API writes `processed_on`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
