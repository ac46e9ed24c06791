"""HubSpot webhooks: signature v3, and contact events read into typed values.

Signature v3 (HubSpot's request validation): Base64 of HMAC-SHA256, keyed with the app's client
secret, over `method + URI + body + timestamp` as UTF-8, in `X-HubSpot-Signature-v3`, with the
epoch milliseconds in `X-HubSpot-Request-Timestamp`. A timestamp more than five minutes away
from now is refused, so a captured request cannot be replayed later.

A delivery is a JSON array of events. A form submission reaches us as the contact it created or
updated: `contact.creation`, then `contact.propertyChange` for each property it set.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SIGNATURE_HEADER = "X-HubSpot-Signature-v3"
TIMESTAMP_HEADER = "X-HubSpot-Request-Timestamp"
MAX_AGE_MS = 5 * 60 * 1000
CONTACT_EVENTS = frozenset(
    {"contact.creation", "contact.propertyChange", "contact.merge", "contact.restore"}
)
# The contact properties a lead is made of; changes to others are stored but change nothing.
LEAD_PROPERTIES = frozenset({"email", "firstname", "lastname", "phone", "mobilephone"})


class MalformedDelivery(ValueError):
    pass


def signature_v3(secret: str, method: str, uri: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + uri.encode() + body + timestamp.encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_v3(
    secret: str,
    *,
    method: str,
    uri: str,
    body: bytes,
    timestamp: str,
    signature: str,
    now: datetime,
) -> str | None:
    """None when the request is HubSpot's and fresh; otherwise why it is not."""
    if not timestamp.isdigit() or len(timestamp) > 15:
        return f"{TIMESTAMP_HEADER} is not epoch milliseconds"
    age_ms = now.timestamp() * 1000 - int(timestamp)
    if abs(age_ms) > MAX_AGE_MS:
        return f"{TIMESTAMP_HEADER} is more than five minutes from now"
    expected = signature_v3(secret, method, uri, body, timestamp)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        return f"{SIGNATURE_HEADER} does not match the request"
    return None


@dataclass(frozen=True)
class ContactEvent:
    event_id: str
    type: str
    contact_id: str
    occurred_at: datetime | None
    property_name: str | None = None
    property_value: str | None = None
    change_source: str | None = None
    """What made the change: `FORM`, `CRM_UI`, `IMPORT`, `INTEGRATION`, `API` and others."""
    source_id: str | None = None
    """Who made it: for an app's write through the API, that app's id."""
    app_id: str | None = None
    """The app the event is delivered to: ours."""

    @property
    def is_known(self) -> bool:
        return self.type in CONTACT_EVENTS

    @property
    def is_our_own_write(self) -> bool:
        """The change came through the API from the app this event is delivered to: a write
        of our own sync, echoed back."""
        return (
            self.change_source in OWN_WRITE_SOURCES
            and self.app_id is not None
            and self.source_id == self.app_id
        )

    def as_json(self) -> bytes:
        """The event alone, compact: what the inbox keeps of it."""
        fields: dict[str, Any] = {
            "eventId": self.event_id,
            "subscriptionType": self.type,
            "objectId": self.contact_id,
            "occurredAt": int(self.occurred_at.timestamp() * 1000) if self.occurred_at else None,
        }
        if self.property_name is not None:
            fields["propertyName"] = self.property_name
            fields["propertyValue"] = self.property_value
        for name, value in (
            ("changeSource", self.change_source),
            ("sourceId", self.source_id),
            ("appId", self.app_id),
        ):
            if value is not None:
                fields[name] = value
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


# The change sources of a write through the API by an app (HubSpot names both).
OWN_WRITE_SOURCES = frozenset({"INTEGRATION", "API"})


def parse_delivery(raw: bytes) -> list[ContactEvent]:
    try:
        events = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise MalformedDelivery("body is not JSON") from err
    if isinstance(events, dict):
        events = [events]
    if not isinstance(events, list) or not events:
        raise MalformedDelivery("body is not a list of events")
    return [parse_event(event) for event in events]


def parse_event(event: object) -> ContactEvent:
    if not isinstance(event, dict):
        raise MalformedDelivery("an event is not an object")
    event_id, object_id = event.get("eventId"), event.get("objectId")
    kind = event.get("subscriptionType")
    if event_id in (None, "") or object_id in (None, "") or not isinstance(kind, str):
        raise MalformedDelivery("an event lacks eventId, objectId or subscriptionType")
    value = event.get("propertyValue")
    name = event.get("propertyName")
    return ContactEvent(
        event_id=str(event_id),
        type=kind,
        contact_id=str(object_id),
        occurred_at=_instant(event.get("occurredAt")),
        property_name=str(name) if name is not None else None,
        property_value=None if value is None else str(value),
        change_source=_text(event.get("changeSource")),
        source_id=_text(event.get("sourceId")),
        app_id=_text(event.get("appId")),
    )


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _instant(epoch_ms: object) -> datetime | None:
    if not isinstance(epoch_ms, int | float) or isinstance(epoch_ms, bool):
        return None
    try:
        return datetime.fromtimestamp(epoch_ms / 1000, UTC)
    except (OverflowError, OSError, ValueError) as err:
        raise MalformedDelivery("occurredAt is out of range") from err
