"""The NetSuite client against the stand-in: what goes over the wire, and what comes back."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import parse_qsl, quote, unquote

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from ez_pipelines.outbox.errors import AuthenticationFailed, Permanent, Unavailable
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn, Received
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import NetSuiteSettings
from ez_pipelines.vendors.http import READ_ATTEMPTS
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.errors import (
    InvalidExternalId,
    NetSuiteLoginRefused,
    NetSuiteRejected,
)
from tests.vendors.netsuite.support import CUSTOMER, TIMEOUT

OAUTH_FIELDS = {
    "oauth_consumer_key",
    "oauth_token",
    "oauth_nonce",
    "oauth_timestamp",
    "oauth_signature_method",
    "oauth_version",
    "oauth_signature",
}


def oauth_header(received: Received) -> dict[str, str]:
    """The Authorization header's parameters, percent-decoded (RFC 5849 section 3.5.1)."""
    scheme, _, rest = received.headers["authorization"].partition(" ")
    assert scheme == "OAuth"
    pairs = (item.strip().split("=", 1) for item in rest.split(","))
    return {name: unquote(value.strip('"')) for name, value in pairs}


def rfc5849_signature(received: Received, base_url: str, settings: NetSuiteSettings) -> str:
    """HMAC-SHA256 signature computed from the RFC's steps alone, without oauthlib."""

    def enc(value: str) -> str:
        return quote(value, safe="~")

    params = [
        (k, v) for k, v in oauth_header(received).items() if k not in ("realm", "oauth_signature")
    ]
    params += parse_qsl(received.query, keep_blank_values=True)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in params))
    base_string = "&".join([received.method, enc(base_url + received.path), enc(normalized)])
    key = f"{enc(settings.consumer_secret)}&{enc(settings.token_secret)}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_upsert_puts_the_body_to_the_external_id_url_signed_with_tba(
    client: NetSuiteClient, netsuite: NetSuiteStandIn, netsuite_settings: NetSuiteSettings
) -> None:
    internal_id = client.upsert("customer", "CUS-0001", CUSTOMER)

    [sent] = netsuite.received
    assert sent.method == "PUT"
    assert sent.path == "/netsuite/services/rest/record/v1/customer/eid:CUS-0001"
    assert sent.headers["content-type"] == "application/json"
    assert json.loads(sent.body) == CUSTOMER
    oauth = oauth_header(sent)
    assert OAUTH_FIELDS | {"realm"} <= oauth.keys()
    assert oauth["realm"] == netsuite_settings.account_id
    assert oauth["oauth_signature_method"] == "HMAC-SHA256"
    assert oauth["oauth_version"] == "1.0"
    assert oauth["oauth_consumer_key"] == netsuite_settings.consumer_key
    assert oauth["oauth_token"] == netsuite_settings.token_id
    stored = netsuite.store.find("customer", "eid:CUS-0001")
    assert stored is not None
    assert internal_id == stored["id"]


def test_signature_is_rfc5849_hmac_sha256_over_method_url_and_query(
    sandbox: BackgroundServer,
    client: NetSuiteClient,
    netsuite: NetSuiteStandIn,
    netsuite_settings: NetSuiteSettings,
) -> None:
    client.upsert("customer", "CUS-0001", CUSTOMER)
    client.get("customer", "eid:CUS-0001")

    for sent in netsuite.received:
        expected = rfc5849_signature(sent, sandbox.base_url, netsuite_settings)
        assert oauth_header(sent)["oauth_signature"] == expected


def test_every_request_carries_a_fresh_nonce(
    client: NetSuiteClient, netsuite: NetSuiteStandIn
) -> None:
    for _ in range(3):
        client.upsert("customer", "CUS-0001", CUSTOMER)

    nonces = {oauth_header(sent)["oauth_nonce"] for sent in netsuite.received}
    assert len(nonces) == 3


def test_upserting_twice_keeps_one_record_with_the_latest_fields(
    client: NetSuiteClient, netsuite: NetSuiteStandIn
) -> None:
    first = client.upsert("customer", "CUS-0001", CUSTOMER)
    second = client.upsert("customer", "CUS-0001", {**CUSTOMER, "lastName": "Haddad-Nasser"})

    assert first == second
    assert netsuite.store.counts()["customer"] == 1
    record = client.get("customer", first)
    assert record is not None
    assert record["lastName"] == "Haddad-Nasser"
    assert record["externalId"] == "CUS-0001"


def test_get_of_an_unknown_external_id_is_none(client: NetSuiteClient) -> None:
    assert client.get("customer", "eid:NOBODY") is None
    assert client.get("customer", "999999") is None


def test_create_posts_and_reads_the_new_id_from_location(
    client: NetSuiteClient, netsuite: NetSuiteStandIn
) -> None:
    internal_id = client.create("customer", {**CUSTOMER, "externalId": "CUS-0002"})

    [sent] = netsuite.received
    assert (sent.method, sent.path) == ("POST", "/netsuite/services/rest/record/v1/customer")
    assert client.get("customer", "eid:CUS-0002") == client.get("customer", internal_id)


@pytest.mark.parametrize("external_id", ["CUS 1", "RED|PO|1337", "a/b", "", "émile"])
def test_an_external_id_netsuite_would_misread_is_refused_before_sending(
    client: NetSuiteClient, netsuite: NetSuiteStandIn, external_id: str
) -> None:
    with pytest.raises(InvalidExternalId) as caught:
        client.upsert("customer", external_id, CUSTOMER)

    assert isinstance(caught.value, Permanent)
    assert not netsuite.received


def test_refused_credentials_raise_login_refused_without_leaking_secrets(
    netsuite_settings: NetSuiteSettings, netsuite: NetSuiteStandIn
) -> None:
    wrong = replace(netsuite_settings, token_secret="not-the-token-secret")
    with (
        NetSuiteClient(wrong, timeout=TIMEOUT) as client,
        pytest.raises(NetSuiteLoginRefused) as caught,
    ):
        client.upsert("customer", "CUS-0001", CUSTOMER)

    error = caught.value
    assert isinstance(error, AuthenticationFailed)
    assert error.error_code == "INVALID_LOGIN"
    for secret in (wrong.consumer_secret, wrong.token_secret, wrong.consumer_key, wrong.token_id):
        assert secret not in error.message
    assert netsuite.store.counts()["customer"] == 0


def test_a_record_netsuite_refuses_names_the_field(client: NetSuiteClient) -> None:
    without_subsidiary = {k: v for k, v in CUSTOMER.items() if k != "subsidiary"}

    with pytest.raises(NetSuiteRejected) as caught:
        client.upsert("customer", "CUS-0001", without_subsidiary)

    assert caught.value.error_path == "subsidiary"
    assert caught.value.http_status == 400


def test_a_read_answered_500_is_asked_again_with_a_fresh_nonce_then_reported(
    client: NetSuiteClient, netsuite: NetSuiteStandIn, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", error_rate=1.0)

    # A transport-level resend would replay the signed headers, and NetSuite would answer
    # INVALID_LOGIN: each new ask is signed afresh, and the last answer reaches the caller.
    with pytest.raises(Unavailable) as caught:
        client.get("customer", "eid:CUS-0001")

    assert not isinstance(caught.value, AuthenticationFailed)
    assert caught.value.vendor_code == "UNEXPECTED_ERROR"
    nonces = {oauth_header(received)["oauth_nonce"] for received in netsuite.received}
    assert len(netsuite.received) == READ_ATTEMPTS
    assert len(nonces) == READ_ATTEMPTS


def test_no_answer_within_the_read_timeout_is_unavailable_and_nothing_is_written(
    netsuite_settings: NetSuiteSettings, netsuite: NetSuiteStandIn, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("netsuite", timeout_rate=1.0, hang_s=0.6)

    with (
        NetSuiteClient(netsuite_settings, timeout=(1.0, 0.2)) as client,
        pytest.raises(Unavailable),
    ):
        client.upsert("customer", "CUS-0001", CUSTOMER)

    assert netsuite.store.counts()["customer"] == 0


def test_many_threads_sharing_a_client_never_exceed_its_cap(
    netsuite_settings: NetSuiteSettings, netsuite: NetSuiteStandIn, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("netsuite", max_in_flight=50)
    sandbox_client.set_faults("netsuite", latency_ms=40)
    capped = replace(netsuite_settings, max_in_flight=3)

    with NetSuiteClient(capped, timeout=TIMEOUT) as client:
        threads = [
            threading.Thread(target=client.upsert, args=("customer", f"CUS-{i:04d}", CUSTOMER))
            for i in range(24)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert netsuite.store.counts()["customer"] == 24
    # Reaching the cap shows the threads did overlap; never passing it is the point.
    assert netsuite.max_in_flight_seen == 3


def test_a_timed_out_request_keeps_its_slot_while_netsuite_may_still_run_it(
    netsuite_settings: NetSuiteSettings, netsuite: NetSuiteStandIn, sandbox_client: SandboxClient
) -> None:
    """Releasing the slot at once would send the next request into NetSuite's concurrency limit,
    because NetSuite still counts the request we stopped waiting for."""
    sandbox_client.configure("netsuite", max_in_flight=1)
    sandbox_client.set_faults("netsuite", timeout_after_commit_rate=1.0, hang_s=0.5)
    read_timeout = 0.3

    with NetSuiteClient(
        replace(netsuite_settings, max_in_flight=1), timeout=(1.0, read_timeout)
    ) as client:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            client.upsert("customer", "CUS-0001", CUSTOMER)
        sandbox_client.set_faults("netsuite")
        client.upsert("customer", "CUS-0002", CUSTOMER)
        elapsed = time.monotonic() - started

    assert elapsed >= 2 * read_timeout
    assert netsuite.responses[429] == 0
    assert netsuite.store.counts()["customer"] == 2


@pytest.fixture
def location_less_netsuite() -> Iterator[BackgroundServer]:
    """A NetSuite whose upsert answers 204 without a Location, as an asynchronous one may."""
    app = FastAPI()
    app.state.seen = []

    @app.put("/services/rest/record/v1/customer/{ref}")
    async def upsert(ref: str, request: Request) -> Response:
        app.state.seen.append(f"PUT {ref}")
        return Response(status_code=204)

    @app.get("/services/rest/record/v1/customer/{ref}")
    async def read(ref: str) -> JSONResponse:
        app.state.seen.append(f"GET {ref}")
        return JSONResponse({"id": "7341", "externalId": ref.removeprefix("eid:")})

    with BackgroundServer(app) as server:
        yield server


def test_upsert_without_location_reads_the_id_back_by_external_id(
    location_less_netsuite: BackgroundServer, netsuite_settings: NetSuiteSettings
) -> None:
    settings = replace(
        netsuite_settings, base_url=f"{location_less_netsuite.base_url}/services/rest"
    )

    with NetSuiteClient(settings, timeout=TIMEOUT) as client:
        internal_id = client.upsert("customer", "CUS-0001", CUSTOMER)

    assert internal_id == "7341"
    assert location_less_netsuite.app.state.seen == ["PUT eid:CUS-0001", "GET eid:CUS-0001"]
