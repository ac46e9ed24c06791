"""Crisp and WhatsApp stand-ins: a visitor's message in, the vendor's signed webhook out.

`POST /crisp/visitor/message` and `POST /whatsapp/visitor/message` play the visitor; the
stand-in then delivers what Crisp (a plugin hook signed over `[timestamp;body]`, or a website
hook with the URL key) or Meta (`X-Hub-Signature-256` over the raw body) would send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from ez_pipelines.sandbox.leads.delivery import Deliveries
from ez_pipelines.sandbox.standin import StandIn

WEBSITE_ID = "8c3b2f0e-5d1a-4e59-9a3c-5f2a7d1e0b42"
PHONE_NUMBER_ID = "106540352242922"


def _compact(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class _ChatStandIn(StandIn):
    def __init__(self) -> None:
        super().__init__()
        self.deliveries = Deliveries()
        self.secret = ""
        self.messages: list[dict[str, Any]] = []
        self.router.add_api_route("/visitor/message", self._visitor_message, methods=["POST"])

    @property
    def webhook_url(self) -> str:
        return self.deliveries.url

    @webhook_url.setter
    def webhook_url(self, url: str) -> None:
        self.deliveries.url = url

    @property
    def duplicate_rate(self) -> float:
        return self.deliveries.duplicate_rate

    @duplicate_rate.setter
    def duplicate_rate(self, rate: float) -> None:
        self.deliveries.duplicate_rate = rate

    def settings(self) -> dict[str, Any]:
        return {"webhook_url": self.webhook_url, "secret": self.secret,
                "duplicate_rate": self.duplicate_rate}  # fmt: skip

    def stats(self) -> dict[str, Any]:
        return {**super().stats(), "webhooks": self.deliveries.stats()}

    def inspect(self) -> dict[str, Any]:
        return {"messages": list(self.messages)}

    def reset(self) -> None:
        super().reset()
        self.messages.clear()
        self.deliveries = Deliveries()

    async def _visitor_message(self, body: dict[str, Any]) -> dict[str, Any]:
        async with self.tracked("visitor_message"):
            self.messages.append(body)
            raw, headers, url = self.webhook(body)
            status = await self.deliveries.send(raw, headers, url)
            self.responses[status] += 1
            return {"delivered": status}

    def webhook(self, message: dict[str, Any]) -> tuple[bytes, dict[str, str], str | None]:
        raise NotImplementedError


class CrispStandIn(_ChatStandIn):
    """Settings: `webhook_url`, `secret` (plugin signing secret), `hook_key` (sent instead of a
    signature when set: a website hook), `duplicate_rate`."""

    name = "crisp"

    def __init__(self) -> None:
        super().__init__()
        self.hook_key = ""

    def settings(self) -> dict[str, Any]:
        return {**super().settings(), "hook_key": self.hook_key}

    def webhook(self, message: dict[str, Any]) -> tuple[bytes, dict[str, str], str | None]:
        stamp = int(message.get("timestamp_ms") or time.time() * 1000)
        session = str(message["session_id"])
        raw = _compact(
            {
                "website_id": WEBSITE_ID,
                "event": "message:send",
                "data": {
                    "website_id": WEBSITE_ID,
                    "session_id": session,
                    "type": "text",
                    "content": str(message.get("text") or ""),
                    "from": "user",
                    "origin": "chat",
                    "stamped": True,
                    "timestamp": stamp,
                    "fingerprint": int(message["fingerprint"]),
                    "user": {"nickname": message.get("nickname") or "visitor", "user_id": session},
                },
                "timestamp": stamp,
            }
        )
        headers = {"Content-Type": "application/json", "X-Crisp-Hook-Origin": "urn:crisp.im"}
        if self.hook_key:
            return raw, headers, f"{self.webhook_url}?key={self.hook_key}"
        signed = b"[" + str(stamp).encode() + b";" + raw + b"]"
        headers["X-Crisp-Request-Timestamp"] = str(stamp)
        headers["X-Crisp-Signature"] = hmac.new(
            self.secret.encode(), signed, hashlib.sha256
        ).hexdigest()
        return raw, headers, None


class WhatsAppStandIn(_ChatStandIn):
    """BotSpace relaying Meta's Cloud API deliveries. Settings: `webhook_url`, `secret` (the app
    secret), `duplicate_rate`."""

    name = "whatsapp"

    def webhook(self, message: dict[str, Any]) -> tuple[bytes, dict[str, str], str | None]:
        sender = str(message["wa_id"])
        contact: dict[str, Any] = {"wa_id": sender}
        if message.get("name"):
            contact["profile"] = {"name": message["name"]}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "97143000000", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [contact],
            "messages": [
                {
                    "from": sender,
                    "id": str(message["message_id"]),
                    "timestamp": str(int(message.get("timestamp") or time.time())),
                    "type": "text",
                    "text": {"body": str(message.get("text") or "")},
                }
            ],
        }
        document = {
            "object": "whatsapp_business_account",
            "entry": [
                {"id": "419561257915477", "changes": [{"value": value, "field": "messages"}]}
            ],
        }
        # Meta's bodies are indented JSON; only the raw bytes are signed.
        raw = json.dumps(document, indent=2, ensure_ascii=True).encode()
        digest = hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        return (
            raw,
            {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={digest}"},
            None,
        )
