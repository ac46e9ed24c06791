"""HubSpot contacts as typed values: what we send, and what HubSpot answers, parsed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ez_pipelines.outbox.errors import SyncError, Unavailable

ResultT = TypeVar("ResultT")


class MalformedAnswer(Unavailable):
    """HubSpot answered success with a body we cannot read; what it applied is unknown."""


@dataclass(frozen=True)
class Contact:
    id: str
    properties: Mapping[str, str | None]
    created_at: str | None = None
    updated_at: str | None = None
    archived: bool = False

    @classmethod
    def from_json(cls, raw: object) -> Contact:
        if not isinstance(raw, Mapping) or raw.get("id") in (None, ""):
            raise MalformedAnswer("hubspot answered a contact without an id")
        properties = raw.get("properties") or {}
        if not isinstance(properties, Mapping):
            raise MalformedAnswer(f"hubspot contact {raw['id']} has unreadable properties")
        return cls(
            id=str(raw["id"]),
            properties={str(k): (None if v is None else str(v)) for k, v in properties.items()},
            created_at=_optional_text(raw.get("createdAt")),
            updated_at=_optional_text(raw.get("updatedAt")),
            archived=bool(raw.get("archived", False)),
        )


@dataclass(frozen=True)
class UpsertedContact:
    contact: Contact
    new: bool
    """True when the upsert created the contact, False when it updated one."""

    @classmethod
    def from_json(cls, raw: object) -> UpsertedContact:
        if not isinstance(raw, Mapping):
            raise MalformedAnswer("hubspot answered an upsert result that is not an object")
        return cls(contact=Contact.from_json(raw), new=bool(raw.get("new", False)))


@dataclass(frozen=True)
class UpsertInput:
    """A contact keyed by our id: `id` is the value of the unique id property."""

    id: str
    properties: Mapping[str, str]


@dataclass(frozen=True)
class UpdateInput:
    """A contact keyed by HubSpot's own id."""

    contact_id: str
    properties: Mapping[str, str]


@dataclass(frozen=True)
class BatchOutcome(Generic[ResultT]):
    """One result or one typed error per input, keyed as the inputs were (see each method)."""

    results: Mapping[str, ResultT | SyncError]
    requests: int = 0

    def errors(self) -> dict[str, SyncError]:
        return {k: v for k, v in self.results.items() if isinstance(v, SyncError)}


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
