"""Signed deliveries of the three lead channels, computed here independently of the receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from ez_pipelines.settings import Settings

HUBSPOT_SECRET = "hs-client-secret"
CRISP_SECRET = "crisp-signing-secret"
CRISP_KEY = "crisp-url-key"
WHATSAPP_SECRET = "meta-app-secret"
VERIFY_TOKEN = "verify-me"


def settings_for(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "EZ_HOME": str(tmp_path),
            "EZ_HUBSPOT_CLIENT_SECRET": HUBSPOT_SECRET,
            "EZ_CRISP_SIGNING_SECRET": CRISP_SECRET,
            "EZ_CRISP_HOOK_KEY": CRISP_KEY,
            "EZ_WHATSAPP_APP_SECRET": WHATSAPP_SECRET,
            "EZ_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        }
    )


def compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


def hubspot_headers(url: str, raw: bytes, timestamp_ms: int) -> dict[str, str]:
    message = b"POST" + url.encode() + raw + str(timestamp_ms).encode()
    digest = hmac.new(HUBSPOT_SECRET.encode(), message, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
        "Content-Type": "application/json",
    }


def hubspot_form(contact_id: int, first_event: int, **properties: str) -> bytes:
    events: list[dict[str, Any]] = [
        {"eventId": first_event, "subscriptionType": "contact.creation", "objectId": contact_id,
         "occurredAt": 1793606400000, "portalId": 62515, "attemptNumber": 0},
    ]  # fmt: skip
    for offset, (name, value) in enumerate(properties.items(), start=1):
        events.append(
            {"eventId": first_event + offset, "subscriptionType": "contact.propertyChange",
             "objectId": contact_id, "propertyName": name, "propertyValue": value,
             "occurredAt": 1793606400000, "portalId": 62515, "attemptNumber": 0}
        )  # fmt: skip
    return compact(events)


def crisp_message(session_id: str, text: str, fingerprint: int, nickname: str) -> bytes:
    return compact(
        {
            "website_id": "42286ab3-b29a-4fde-8538-da0ae501d825",
            "event": "message:send",
            "data": {
                "website_id": "42286ab3-b29a-4fde-8538-da0ae501d825",
                "session_id": session_id,
                "type": "text",
                "content": text,
                "from": "user",
                "origin": "chat",
                "fingerprint": fingerprint,
                "timestamp": 1793606400000,
                "user": {"nickname": nickname, "user_id": session_id},
            },
            "timestamp": 1793606400000,
        }
    )


def crisp_headers(raw: bytes, timestamp: str = "1793606400000") -> dict[str, str]:
    message = b"[" + timestamp.encode() + b";" + raw + b"]"
    return {
        "X-Crisp-Signature": hmac.new(CRISP_SECRET.encode(), message, hashlib.sha256).hexdigest(),
        "X-Crisp-Request-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def whatsapp_message(message_id: str, sender: str, name: str, text: str) -> bytes:
    return compact(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "419561257915477", "changes": [{"field": "messages", "value": {
                "messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "971800123", "phone_number_id": "1065"},
                "contacts": [{"profile": {"name": name}, "wa_id": sender}],
                "messages": [{"from": sender, "id": message_id, "timestamp": "1793606400",
                              "type": "text", "text": {"body": text}}],
            }}]}],
        }
    )  # fmt: skip


def whatsapp_headers(raw: bytes) -> dict[str, str]:
    digest = hmac.new(WHATSAPP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}
