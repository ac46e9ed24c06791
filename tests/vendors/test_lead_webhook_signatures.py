"""The published and self-computed signature vectors of the three lead channels verify, and a
changed byte does not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ez_pipelines.vendors.crisp import webhooks as crisp
from ez_pipelines.vendors.hubspot import webhooks as hubspot
from ez_pipelines.vendors.whatsapp import webhooks as whatsapp

VENDOR = Path(__file__).resolve().parents[1] / "fixtures" / "vendor"


def load(path: str) -> dict:  # type: ignore[type-arg]
    return json.loads((VENDOR / path).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_hubspot_v3_vector_verifies() -> None:
    vector = next(
        v for v in load("hubspot/webhook_signature_test_vectors.json")["vectors"]
        if v["version"] == "v3"
    )  # fmt: skip
    args = (vector["http_method"], vector["http_uri"], vector["request_body"].encode())

    assert (
        hubspot.signature_v3(vector["client_secret"], *args, vector["timestamp"])
        == vector["expected"]
    )


def test_hubspot_v3_refuses_a_stale_timestamp_and_a_changed_body() -> None:
    secret, uri, body = "s3cret", "https://ops.example.test/webhooks/hubspot", b'[{"eventId":1}]'
    now = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    fresh = str(int(now.timestamp() * 1000) - 1000)
    stale = str(int(now.timestamp() * 1000) - 301_000)

    def check(body: bytes, timestamp: str, signed_body: bytes = body) -> str | None:
        signature = hubspot.signature_v3(secret, "POST", uri, signed_body, timestamp)
        return hubspot.verify_v3(
            secret, method="POST", uri=uri, body=body, timestamp=timestamp, signature=signature,
            now=now,
        )  # fmt: skip

    assert check(body, fresh) is None
    assert check(body, stale) is not None
    assert check(b'[{"eventId":2}]', fresh, signed_body=body) is not None


def test_crisp_vector_verifies_over_the_bytes_as_sent() -> None:
    vector = load("crisp/signature_selfcomputed_vector.json")
    raw = vector["body_as_string"].encode()
    timestamp = vector["x_crisp_request_timestamp"]

    assert (
        crisp.signature_of(vector["signing_secret"], timestamp, raw)
        == vector["expected_x_crisp_signature"]
    )
    assert crisp.signature_matches(
        vector["signing_secret"], timestamp, raw, vector["expected_x_crisp_signature"]
    )
    assert not crisp.signature_matches(
        vector["signing_secret"], timestamp, raw.replace(b"Hey", b"Hay"),
        vector["expected_x_crisp_signature"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("offset_s", "accepted"), [(0, True), (-299, True), (299, True), (301, False), (-301, False)]
)
def test_crisp_vector_is_refused_when_its_timestamp_is_outside_the_window(
    offset_s: int, accepted: bool
) -> None:
    """The shipped vector verifies at its own moment and up to five minutes either side; the
    same signed bytes replayed later, or stamped ahead of now, are refused."""
    vector = load("crisp/signature_selfcomputed_vector.json")
    timestamp = vector["x_crisp_request_timestamp"]
    now = datetime.fromtimestamp(int(timestamp) / 1000 + offset_s, tz=UTC)

    refusal = crisp.verify(
        vector["signing_secret"], timestamp=timestamp, body=vector["body_as_string"].encode(),
        signature=vector["expected_x_crisp_signature"], now=now, max_age_s=300,
    )  # fmt: skip

    assert (refusal is None) is accepted
    if not accepted:
        assert refusal is not None and "X-Crisp-Request-Timestamp" in refusal


@pytest.mark.parametrize("index", [0, 1])
def test_whatsapp_vectors_verify_over_the_raw_bytes(index: int) -> None:
    vector = load("whatsapp/x_hub_signature_256_vectors.json")["vectors"][index]
    raw = (
        (VENDOR / "whatsapp" / vector["raw_body_file"]).read_bytes()
        if "raw_body_file" in vector
        else vector["raw_body"].encode()
    )

    assert whatsapp.signature_of(vector["app_secret"], raw) == vector["expected_header"]
    assert whatsapp.signature_matches(vector["app_secret"], raw, vector["expected_header"])
    # The same JSON serialised again is other bytes: its signature no longer matches.
    if "raw_body_file" in vector:
        again = json.dumps(json.loads(raw)).encode()
        assert not whatsapp.signature_matches(
            vector["app_secret"], again, vector["expected_header"]
        )


def test_whatsapp_sample_reads_into_one_message() -> None:
    [message] = whatsapp.parse_delivery(
        (VENDOR / "whatsapp" / "webhook_samples" / "text_message.json").read_bytes()
    )

    assert (message.wa_id, message.profile_name, message.type) == (
        "16505551234",
        "Sheena Nelson",
        "text",
    )
    assert message.message_id.startswith("wamid.")


def test_crisp_sample_reads_into_a_visitor_message_without_a_name() -> None:
    message = crisp.parse_hook(
        (VENDOR / "crisp" / "webhook_samples" / "message_send.json").read_bytes()
    )

    assert message.session_id == "session_36ba3566-9651-4790-afc8-ffedbccc317f"
    assert (message.nickname, message.from_visitor, message.is_known) == (None, True, True)
