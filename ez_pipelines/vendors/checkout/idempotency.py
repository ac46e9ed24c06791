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
from typing import Literal

# Fixed for good: changing it would give every record waiting for a retry a new key.
NAMESPACE = uuid.UUID("6f1c2a8e-3b7d-5e49-9a0c-2d8e4f61b7a3")

KeyKind = Literal["payment", "refund", "capture", "void"]


def idempotency_key(kind: KeyKind, record_id: str) -> str:
    """The key of the request that makes `kind` happen for our record `record_id`."""
    if not record_id:
        raise ValueError("an idempotency key needs the id of our record")
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{record_id}"))
