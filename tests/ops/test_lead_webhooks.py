"""The lead channels' webhook endpoints: proven deliveries are stored once, others never."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.ops.web import create_ops_app
from tests.ops import lead_deliveries as d

HUBSPOT_URL = "http://testserver/webhooks/hubspot"


@pytest.fixture
def client(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    app = create_ops_app(d.settings_for(tmp_path), sqlite_db, clock=clock)
    with TestClient(app) as test_client:
        yield test_client


def stored(db: Database) -> list[tuple[str, str, str]]:
    with db.read() as session:
        rows = session.execute(
            select(InboxEvent.system, InboxEvent.event_id, InboxEvent.status).order_by(
                InboxEvent.id
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def now_ms(clock: ManualClock) -> int:
    return int(clock.now().timestamp() * 1000)


def test_hubspot_form_events_are_stored_once_each(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    raw = d.hubspot_form(2001, 10, email="Sara.Q@Example.COM ", firstname="Sara")
    headers = d.hubspot_headers(HUBSPOT_URL, raw, now_ms(clock))

    first = client.post("/webhooks/hubspot", content=raw, headers=headers)
    again = client.post("/webhooks/hubspot", content=raw, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["stored"], again.json()["duplicates"]) == (3, 3)
    assert [event_id for _, event_id, _ in stored(sqlite_db)] == ["10", "11", "12"]


@pytest.mark.parametrize(
    "tamper",
    ["body", "signature", "stale", "no_signature"],
)
def test_hubspot_delivery_that_is_not_proven_gets_401_and_nothing_stored(
    client: TestClient, sqlite_db: Database, clock: ManualClock, tamper: str
) -> None:
    raw = d.hubspot_form(2001, 10, email="sara@example.test")
    stamp = now_ms(clock) - (301_000 if tamper == "stale" else 0)
    headers = d.hubspot_headers(HUBSPOT_URL, raw, stamp)
    if tamper == "body":
        raw = raw.replace(b"sara@", b"sarah@")
    if tamper == "signature":
        headers["X-HubSpot-Signature-v3"] = "A" + headers["X-HubSpot-Signature-v3"][1:]
    if tamper == "no_signature":
        del headers["X-HubSpot-Signature-v3"]

    response = client.post("/webhooks/hubspot", content=raw, headers=headers)

    assert response.status_code == 401
    assert stored(sqlite_db) == []


def test_signed_crisp_plugin_hook_is_stored(client: TestClient, sqlite_db: Database) -> None:
    raw = d.crisp_message("session_1", "hi, I'm sara.q@example.com", 111, "Sara")

    response = client.post("/webhooks/crisp", content=raw, headers=d.crisp_headers(raw))

    assert response.status_code == 200
    assert stored(sqlite_db) == [("crisp", "message:send:session_1:111", "received")]


def test_unsigned_website_hook_needs_the_url_key(client: TestClient, sqlite_db: Database) -> None:
    raw = d.crisp_message("session_1", "call me on 050 123 4567", 112, "visitor12")
    plain = {"Content-Type": "application/json"}

    wrong = client.post("/webhooks/crisp?key=guess", content=raw, headers=plain)
    missing = client.post("/webhooks/crisp", content=raw, headers=plain)
    right = client.post(f"/webhooks/crisp?key={d.CRISP_KEY}", content=raw, headers=plain)

    assert (wrong.status_code, missing.status_code, right.status_code) == (401, 401, 200)
    assert len(stored(sqlite_db)) == 1


def test_crisp_signature_over_a_changed_body_gets_401(
    client: TestClient, sqlite_db: Database
) -> None:
    raw = d.crisp_message("session_1", "hello", 113, "Sara")
    headers = d.crisp_headers(raw)

    response = client.post(
        "/webhooks/crisp", content=raw.replace(b"hello", b"hellO"), headers=headers
    )

    assert response.status_code == 401
    assert stored(sqlite_db) == []


@pytest.mark.parametrize("offset_ms", [-301_000, 301_000, None])
def test_signed_crisp_hook_stale_future_or_unstamped_gets_401_and_nothing_stored(
    client: TestClient, sqlite_db: Database, clock: ManualClock, offset_ms: int | None
) -> None:
    """A correctly signed hook replayed six minutes late, stamped ahead of now, or without its
    timestamp header is refused: the signature alone proves nothing about when."""
    raw = d.crisp_message("session_1", "hello", 114, "Sara")
    stamp = str(now_ms(clock) + (offset_ms or 0))
    headers = d.crisp_headers(raw, stamp)
    if offset_ms is None:
        del headers["X-Crisp-Request-Timestamp"]

    response = client.post("/webhooks/crisp", content=raw, headers=headers)

    assert response.status_code == 401
    assert stored(sqlite_db) == []


def test_whatsapp_bad_signature_gets_401_and_nothing_stored(
    client: TestClient, sqlite_db: Database
) -> None:
    raw = d.whatsapp_message("wamid.X1", "971501234567", "Omar", "hello")
    headers = d.whatsapp_headers(raw)
    headers["X-Hub-Signature-256"] = headers["X-Hub-Signature-256"][:-1] + "0"

    response = client.post("/webhooks/whatsapp", content=raw, headers=headers)

    assert response.status_code == 401
    assert stored(sqlite_db) == []


def test_whatsapp_subscription_challenge_is_echoed_only_for_our_token(
    client: TestClient,
) -> None:
    ours = {"hub.mode": "subscribe", "hub.verify_token": d.VERIFY_TOKEN, "hub.challenge": "1158"}
    theirs = {**ours, "hub.verify_token": "not-ours"}

    assert client.get("/webhooks/whatsapp", params=ours).text == "1158"
    assert client.get("/webhooks/whatsapp", params=theirs).status_code == 403
