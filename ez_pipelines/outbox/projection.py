"""The seam between the outbox and an adapter: how one entity becomes one vendor's records."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.orm import Session

from ez_pipelines.outbox.errors import SyncError

Payload = Mapping[str, Any]
Outcome = Literal["created", "updated", "linked"]


def payload_json(payload: Payload) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def payload_hash(payload: Payload) -> str:
    return hashlib.sha256(payload_json(payload).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outbound:
    """One record, mapped by the contract, on its way to the vendor, with what the vendor was
    last known to hold for it."""

    record_id: str
    payload: Payload
    vendor_id: str | None = None
    """The vendor's id for the record, when an earlier sync learnt it."""
    vendor_key: str | None = None
    """The key the vendor last found the record by."""
    previous_payload: Payload | None = None
    """The payload the vendor last accepted: what to clear when a value is gone."""
    siblings: tuple[str, ...] = ()
    """Our other records mapped onto the same vendor record (a contact shared by email)."""
    tried_since: datetime | None = None
    """When the current run of attempts began, if an earlier attempt of it failed and may have
    reached the vendor (a timeout); None when this is the first attempt since a change or a
    person's retry. A vendor that forgets idempotency keys makes a late retry unsafe."""


@dataclass(frozen=True)
class Pushed:
    vendor_id: str
    outcome: Outcome
    vendor_key: str | None = None
    released: bool = False
    """The record holds no vendor record of its own any more (a lead merged into another's
    contact): what the vendor was known to hold for it is forgotten, not stored."""


class Projection(Protocol):
    """How records of `entity` reach `system`. Implemented inside each vendor's package."""

    system: str
    entity: str
    contract_version: str

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        """The vendor payload of each record that still exists, through the contract."""
        ...

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        """Send the records; one result per record id, never an exception for one record."""
        ...
