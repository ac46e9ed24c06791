"""WhatsApp Cloud API webhooks (BotSpace relays Meta's deliveries unchanged).

`X-Hub-Signature-256` is `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the app
secret. Meta signs the bytes it sent, escapes and all: a body parsed and serialised again no
longer matches, so the check runs on the bytes as received. Subscribing the URL is a GET with
`hub.mode=subscribe`, `hub.verify_token` and `hub.challenge`; the challenge is echoed back when
the token is ours.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


class MalformedDelivery(ValueError):
    pass


def signature_of(app_secret: str, raw: bytes) -> str:
    return _PREFIX + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()


def signature_matches(app_secret: str, raw: bytes, header: str) -> bool:
    given = header.strip()
    if not given.lower().startswith(_PREFIX):
        return False
    expected = signature_of(app_secret, raw).encode()
    return hmac.compare_digest(expected, (_PREFIX + given[len(_PREFIX) :].lower()).encode())


def challenge_answer(params: dict[str, str], verify_token: str) -> str | None:
    """The challenge to echo when the subscription request carries our token; else None."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge")


@dataclass(frozen=True)
class InboundMessage:
    message_id: str
    """The `wamid`: Meta's id for the message, the same on every delivery of it."""
    wa_id: str
    """The sender's WhatsApp id: their number in international form, without the plus."""
    profile_name: str | None
    type: str
    text: str | None
    sent_at: datetime | None

    def as_json(self) -> bytes:
        fields: dict[str, Any] = {
            "id": self.message_id,
            "from": self.wa_id,
            "profile_name": self.profile_name,
            "type": self.type,
            "text": self.text,
            "timestamp": int(self.sent_at.timestamp()) if self.sent_at else None,
        }
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()


def parse_delivery(raw: bytes) -> list[InboundMessage]:
    """Every message in the delivery; statuses of messages we sent are not leads and are left."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise MalformedDelivery("body is not JSON") from err
    if not isinstance(body, dict) or body.get("object") != "whatsapp_business_account":
        raise MalformedDelivery("body is not a WhatsApp Business Account notification")
    messages = []
    for entry in _objects(body.get("entry")):
        for change in _objects(entry.get("changes")):
            value = change.get("value")
            if change.get("field") == "messages" and isinstance(value, dict):
                messages.extend(_messages(value))
    return messages


def parse_stored(raw: bytes) -> InboundMessage:
    """A message as the inbox keeps it (`InboundMessage.as_json`)."""
    fields = json.loads(raw)
    stamp = fields.get("timestamp")
    return InboundMessage(
        message_id=str(fields["id"]),
        wa_id=str(fields["from"]),
        profile_name=fields.get("profile_name"),
        type=str(fields.get("type") or ""),
        text=fields.get("text"),
        sent_at=_instant(str(stamp)) if isinstance(stamp, int) else None,
    )


def _messages(value: dict[str, Any]) -> list[InboundMessage]:
    names = {
        str(c.get("wa_id")): (c.get("profile") or {}).get("name")
        for c in _objects(value.get("contacts"))
    }
    found = []
    for message in _objects(value.get("messages")):
        message_id, sender = message.get("id"), message.get("from")
        if not isinstance(message_id, str) or not message_id or not sender:
            raise MalformedDelivery("a message lacks its id or sender")
        text: dict[str, Any] = message["text"] if isinstance(message.get("text"), dict) else {}
        stamp = str(message.get("timestamp") or "")
        name = names.get(str(sender))
        found.append(
            InboundMessage(
                message_id=message_id,
                wa_id=str(sender),
                profile_name=name if isinstance(name, str) and name.strip() else None,
                type=str(message.get("type") or ""),
                text=text.get("body") if isinstance(text.get("body"), str) else None,
                sent_at=_instant(stamp),
            )
        )
    return found


def _objects(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _instant(epoch_s: str) -> datetime | None:
    if not epoch_s.isdigit() or len(epoch_s) > 12:
        return None
    return datetime.fromtimestamp(int(epoch_s), UTC)
