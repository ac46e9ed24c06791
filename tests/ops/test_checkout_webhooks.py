"""The Checkout.com receiver: signature over the raw bytes, every shipped envelope, refusals."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.ops.web.checkout import signature_matches
from tests.conftest import T0
from tests.ops.webhook_checkout import (
    ACCENTED_BODY,
    ACCENTED_SIGNATURE,
    SECRET,
    URL,
    event_body,
    sample,
    settings_for,
    sign,
    signed_headers,
    stored,
    vectors,
)

VECTORS = vectors()
RECEIVER_LOG = "ez_pipelines.ops.web"


@pytest.fixture
def ops_app(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> Iterator[Callable[[str], FastAPI]]:
    """Builds the ops app on the test store with a given webhook secret."""
    apps: list[FastAPI] = []

    def build(secret: str) -> FastAPI:
        apps.append(create_ops_app(settings_for(tmp_path, secret), sqlite_db, clock=clock))
        return apps[-1]

    yield build
    for app in apps:
        app.state.writer.close()


@pytest.fixture
def client(ops_app: Callable[[str], FastAPI]) -> TestClient:
    return TestClient(ops_app(SECRET))


@pytest.fixture
def samples_client(ops_app: Callable[[str], FastAPI]) -> TestClient:
    """A receiver keyed with the signature key the self-computed vectors were made with."""
    return TestClient(ops_app(VECTORS["key"]))


def _flip(text: bytes, index: int) -> bytes:
    return text[:index] + bytes([text[index] ^ 0x01]) + text[index + 1 :]


def test_w3_signature_over_the_exact_bytes_is_accepted(
    client: TestClient, sqlite_db: Database
) -> None:
    assert sign(ACCENTED_BODY) == ACCENTED_SIGNATURE

    response = client.post(
        URL, content=ACCENTED_BODY, headers={"Cko-Signature": ACCENTED_SIGNATURE}
    )

    assert response.status_code == 200
    assert response.json() == {
        "status": "stored",
        "event_id": "evt_test_0001",
        "type": "payment_approved",
        "known": True,
    }
    [row] = stored(sqlite_db)
    assert (row.system, row.event_id, row.status) == ("checkout", "evt_test_0001", "received")
    assert row.body == ACCENTED_BODY
    assert row.received_at == T0


def test_signature_in_upper_case_hex_is_accepted(client: TestClient, sqlite_db: Database) -> None:
    response = client.post(
        URL, content=ACCENTED_BODY, headers={"Cko-Signature": ACCENTED_SIGNATURE.upper()}
    )

    assert response.status_code == 200
    assert len(stored(sqlite_db)) == 1


@pytest.mark.parametrize(
    "index",
    [
        ACCENTED_BODY.index("é".encode()),  # first byte of é: the body is no longer valid UTF-8
        ACCENTED_BODY.index(b"150.00") + 5,  # the amount's last digit: still valid JSON
        len(ACCENTED_BODY) - 1,  # the closing brace
    ],
)
def test_one_flipped_body_byte_is_refused_and_nothing_stored(
    client: TestClient, sqlite_db: Database, index: int
) -> None:
    response = client.post(
        URL, content=_flip(ACCENTED_BODY, index), headers={"Cko-Signature": ACCENTED_SIGNATURE}
    )

    assert response.status_code == 401
    assert stored(sqlite_db) == []


@pytest.mark.parametrize("index", [0, 31, 63])
def test_one_flipped_signature_character_is_refused_and_nothing_stored(
    client: TestClient, sqlite_db: Database, index: int
) -> None:
    signature = _flip(ACCENTED_SIGNATURE.encode(), index).decode()

    response = client.post(URL, content=ACCENTED_BODY, headers={"Cko-Signature": signature})

    assert response.status_code == 401
    assert stored(sqlite_db) == []


def test_a_reserialised_body_has_another_digest_so_only_raw_bytes_verify(
    client: TestClient, sqlite_db: Database
) -> None:
    parsed = json.loads(ACCENTED_BODY)
    # Even the most faithful re-serialisation loses `150.00` (it becomes 150.0).
    reserialised = [
        json.dumps(parsed).encode(),
        json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode(),
    ]

    for body in reserialised:
        assert body != ACCENTED_BODY
        assert sign(body) != ACCENTED_SIGNATURE
        response = client.post(URL, content=body, headers={"Cko-Signature": ACCENTED_SIGNATURE})
        assert response.status_code == 401
    assert stored(sqlite_db) == []


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no Cko-Signature header"),
        ({"Cko-Signature": ""}, "no Cko-Signature header"),
        ({"Cko-Signature": sign(ACCENTED_BODY, "another-secret")}, "does not match"),
        # A header that is not hex at all, in characters outside ASCII.
        ({"Cko-Signature": "é" * 64}, "does not match"),
    ],
)
def test_unsigned_delivery_gets_401_and_a_warning_without_body_or_secret(
    client: TestClient,
    sqlite_db: Database,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    reason: str,
) -> None:
    caplog.set_level(logging.WARNING, logger=RECEIVER_LOG)
    encoded = {name: value.encode("latin-1") for name, value in headers.items()}

    response = client.post(URL, content=ACCENTED_BODY, headers=encoded)

    assert response.status_code == 401
    assert stored(sqlite_db) == []
    [record] = [r for r in caplog.records if r.name.startswith(RECEIVER_LOG)]
    assert record.levelno == logging.WARNING
    assert reason in record.getMessage() and f"bytes={len(ACCENTED_BODY)}" in record.getMessage()
    assert "José" not in caplog.text and "evt_test_0001" not in caplog.text
    assert SECRET not in caplog.text


def test_self_computed_vectors_verify_over_the_shipped_bytes() -> None:
    for vector in VECTORS["vectors"]:
        body = sample(vector["file"])
        # The fixture still holds the exact bytes the vectors were computed over.
        assert hashlib.sha256(body).hexdigest() == vector["body_sha256_hex"], vector["file"]
        assert signature_matches(VECTORS["key"], body, vector["cko_signature_hex"])
        assert not signature_matches(SECRET, body, vector["cko_signature_hex"])


SAMPLE_TYPES = {
    "payment_approved.nas_2022.json": ("payment_approved", "2019-06-07T08:25:21+00:00"),
    "payment_canceled.nas_2022.json": ("payment_canceled", "2021-06-11T11:59:50.071+00:00"),
    "payment_capture_pending.nas_2022.json": ("payment_capture_pending", None),
    "payment_captured.abc_previous_2019.json": ("payment_captured", "2019-06-07T08:25:22+00:00"),
    "payment_captured.nas_2023.partial.json": ("payment_captured", None),
    "payment_declined.nas_2024.partial.json": ("payment_declined", None),
    "payment_declined_card_payout.abc_previous_2019.json": ("payment_declined", None),
    "payment_pending.nas_2022.json": ("payment_pending", None),
    "payment_refund_pending.nas_2022.json": ("payment_refund_pending", None),
    "payment_refunded.nas_2022.json": ("payment_refunded", None),
    "payment_voided.nas_2022.json": ("payment_voided", None),
}


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["file"].split("/")[-1])
def test_every_shipped_sample_is_stored_with_its_type(
    samples_client: TestClient, sqlite_db: Database, vector: dict[str, str]
) -> None:
    body = sample(vector["file"])
    event_type, occurred = SAMPLE_TYPES[vector["file"].split("/")[-1]]

    response = samples_client.post(
        URL, content=body, headers={"Cko-Signature": vector["cko_signature_hex"]}
    )

    assert response.status_code == 200
    assert response.json()["type"] == event_type
    [row] = stored(sqlite_db)
    assert (row.event_id, row.event_type, row.status) == (
        json.loads(body)["id"],
        event_type,
        "received",
    )
    assert row.body == body
    # Both envelopes give the instant: `created_on` (older platform) and `timestamp` (NAS).
    assert row.occurred_at is not None
    if occurred is not None:
        assert row.occurred_at == datetime.fromisoformat(occurred).astimezone(UTC)


def test_both_cancel_spellings_are_stored_as_one_type(
    client: TestClient, sqlite_db: Database
) -> None:
    for event_id, spelling in (("evt_nas", "payment_cancelled"), ("evt_abc", "payment_canceled")):
        body = event_body(event_id, spelling)
        response = client.post(URL, content=body, headers=signed_headers(body))
        assert response.status_code == 200

    assert [(r.event_id, r.event_type) for r in stored(sqlite_db)] == [
        ("evt_nas", "payment_canceled"),
        ("evt_abc", "payment_canceled"),
    ]


def test_unknown_event_type_is_stored_as_unknown_and_listed_in_the_log(
    client: TestClient, sqlite_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=RECEIVER_LOG)
    body = event_body("evt_dispute_1", "dispute_evidence_required")

    response = client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 200
    assert response.json() == {
        "status": "stored",
        "event_id": "evt_dispute_1",
        "type": "dispute_evidence_required",
        "known": False,
    }
    [row] = stored(sqlite_db)
    assert (row.event_type, row.status) == ("dispute_evidence_required", "unknown")
    assert any(
        "unknown type dispute_evidence_required" in r.getMessage()
        and "evt_dispute_1" in r.getMessage()
        for r in caplog.records
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"id":"evt_1","type":', "not JSON"),  # cut off mid-delivery
        (b"", "not JSON"),
        (b'["evt_1"]', "not a JSON object"),
        (b'{"type":"payment_captured"}', "no id"),
        (b'{"id":"evt_1","type":"payment_captured","data":[1]}', "data is not an object"),
        # Deep enough to exhaust the JSON reader's recursion.
        (b"[" * 200_000, "nested too deeply"),
        # Valid ISO 8601, but the offset moves it before year 1.
        (b'{"id":"e","type":"t","created_on":"0001-01-01T00:00:00+14:00"}', "out of range"),
        # Wider than the inbox's column, or unstorable as text.
        (('{"id":"' + "e" * 129 + '","type":"t"}').encode(), "longer than 128"),
        (b'{"id":"evt\\u0000","type":"payment_captured"}', "unprintable"),
        (b'{"id":"evt_1","type":"\\ud800"}', "unprintable"),
    ],
)
def test_malformed_signed_body_gets_400_nothing_stored_and_the_reason_logged(
    client: TestClient,
    sqlite_db: Database,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    reason: str,
) -> None:
    caplog.set_level(logging.WARNING, logger=RECEIVER_LOG)

    response = client.post(URL, content=body, headers=signed_headers(body))

    assert response.status_code == 400
    assert reason in response.json()["detail"]
    assert stored(sqlite_db) == []
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(reason in m and f"bytes={len(body)}" in m for m in messages), messages


def test_rejected_and_duplicate_deliveries_are_counted_for_health(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    """Neither leaves an inbox row, so health would not see them without the tally."""
    from ez_pipelines.ops.inbound import inbound_figures

    client.post(URL, content=ACCENTED_BODY, headers={"Cko-Signature": "0" * 64})
    for _ in range(3):
        client.post(URL, content=ACCENTED_BODY, headers=signed_headers(ACCENTED_BODY))

    figures = inbound_figures(sqlite_db, "checkout", now=clock.now(), window=timedelta(hours=1))
    assert (figures.received, figures.rejected, figures.duplicate) == (1, 1, 2)
