"""The `Cko-Idempotency-Key` of each request we make, derived from our own ids.

A retry of the same record must send the same key, so that Checkout.com answers it with the
outcome of the first request instead of acting twice; two records must never share a key, or
the second would be answered with the first's outcome. A name-based UUID over our id gives
both, on every worker and after every restart, with nothing stored. Checkout.com recommends
UUID-shaped keys.

The keys never depend on a contract version: a request in flight across a deploy keeps its key.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Literal

# Fixed for good: changing it would give every record waiting for a retry a new key.
NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-5e49-9a0c-2d8e4f61b7a3")

KeyKind = Literal["payment", "refund", "capture", "void"]


def idempotency_key(kind: KeyKind, record_id: str) -> str:
    """The key of the request that makes `kind` happen for our record `record_id`."""
    if not record_id:
        raise ValueError("an idempotency key needs the id of our record")
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{record_id}"))


# Checkout.com's clock and ours disagree a little: a key is trusted for this share of its
# lifetime only (22.8 h of 24).
KEY_TRUST_SHARE = 0.95


def key_may_be_forgotten(tried_since: datetime | None, *, now: datetime, lifetime_s: float) -> bool:
    """Whether a request first sent at or after `tried_since` may no longer be recognised by its
    key at `now`, so that sending it again could act twice. None: nothing was sent before."""
    if tried_since is None:
        return False
    return now >= tried_since + timedelta(seconds=lifetime_s * KEY_TRUST_SHARE)
