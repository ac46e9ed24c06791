"""Signed Checkout.com deliveries for the receiver's tests, and what they left in the inbox.

Signatures here are computed independently of the receiver's code, so a wrong receiver cannot
agree with itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "vendor" / "checkout"
URL = "/webhooks/checkout"
SECRET = "whsec_test_123"
# The exact bytes of the signature case: compact, amount with two decimals, literal é.
ACCENTED_BODY = (
    '{"id":"evt_test_0001","type":"payment_approved","data":{"amount":150.00,"customer":"José"}}'
).encode()
ACCENTED_SIGNATURE = "ec9dc59d7d21af66aeb96bcecd36b9c788a8ffabaeac69f0d7e3028cf3727b8a"


def sign(raw: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def event_body(event_id: str, event_type: str = "payment_captured", **extra: Any) -> bytes:
    document = {
        "id": event_id,
        "type": event_type,
        "timestamp": "2026-11-02T07:59:58.123+00:00",
        "data": {"id": "pay_abc", "amount": 15000, "currency": "AED", **extra},
    }
    return json.dumps(document, separators=(",", ":")).encode()


def signed_headers(raw: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Cko-Signature": sign(raw, secret), "Content-Type": "application/json"}


def settings_for(tmp_path: Path, secret: str = SECRET, **env: str) -> Settings:
    """Settings from a fixed environment, so the machine's variables cannot leak into a test."""
    return Settings.from_env(
        {"EZ_HOME": str(tmp_path), "EZ_CHECKOUT_WEBHOOK_SECRET": secret, **env}
    )


def post(base_url: str, raw: bytes | Iterable[bytes], headers: dict[str, str]) -> requests.Response:
    return requests.post(f"{base_url}{URL}", data=raw, headers=headers, timeout=(2.0, 10.0))


def stored(db: Database) -> list[InboxEvent]:
    with db.read() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def vectors() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (FIXTURES / "cko_signature_selfcomputed_vectors.json").read_text()
    )
    return loaded


def sample(file: str) -> bytes:
    """A shipped sample's exact bytes; `file` as the vectors name it."""
    return (FIXTURES / file).read_bytes()
