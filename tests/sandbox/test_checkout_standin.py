"""The Checkout.com stand-in behaves as Checkout.com documents its NAS payments API and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from ez_pipelines.clock import ManualClock
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.checkout.standin import CheckoutStandIn
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.checkout.events import parse_event
from tests.sandbox.checkout_http import (
    DECLINED_CARD,
    PENDING_CARD,
    CheckoutHttp,
    wait_until,
)
from tests.sandbox.checkout_receiver import Receiver

PAY_ID = re.compile(r"^pay_[a-z2-7]{26}$")
ACT_ID = re.compile(r"^act_[a-z2-7]{26}$")
EVT_ID = re.compile(r"^evt_[a-z2-7]{26}$")
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
SAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "fixtures/vendor/checkout_webhook_samples.json").read_text()
)["samples"]
BALANCE_KEYS = {
    "total_authorized",
    "total_voided",
    "available_to_void",
    "total_captured",
    "available_to_capture",
    "total_refunded",
    "available_to_refund",
}


@pytest.fixture
def checkout(sandbox: BackgroundServer) -> CheckoutHttp:
    return CheckoutHttp(sandbox.base_url)


@pytest.fixture(scope="module")
def running_receiver() -> Iterator[Receiver]:
    # One receiver for the module: starting and stopping a server costs more than most tests.
    with Receiver() as running:
        yield running


@pytest.fixture
def receiver(running_receiver: Receiver) -> Receiver:
    running_receiver.clear()
    return running_receiver


@pytest.fixture
def hooked(checkout: CheckoutHttp, receiver: Receiver) -> CheckoutHttp:
    """A stand-in delivering to the test's receiver, capturing without delay."""
    checkout.control(webhook_url=receiver.url, capture_delay_ms=0)
    return checkout


def status_of(checkout: CheckoutHttp, payment_id: str, wanted: str) -> bool:
    return bool(checkout.payment(payment_id)["status"] == wanted)


def event_types(checkout: CheckoutHttp) -> list[str]:
    return [e["type"] for e in checkout.records()["events"]]


# --- payments ---------------------------------------------------------------------------------


def test_payment_answers_201_with_the_spec_payment_response(checkout: CheckoutHttp) -> None:
    response = checkout.pay(15000, capture=False, metadata={"booking": "BK-1001"})

    assert response.status_code == 201
    assert re.match(r"^[A-Z0-9]{13}$", response.headers["Cko-Request-Id"])
    body = response.json()
    required = {"id", "action_id", "amount", "currency", "approved", "status", "response_code"}
    assert required | {"processed_on", "_links"} <= set(body)
    assert PAY_ID.match(body["id"]) and ACT_ID.match(body["action_id"])
    assert (body["amount"], body["currency"], body["reference"]) == (15000, "AED", "BK-1001")
    assert (body["approved"], body["status"]) == (True, "Authorized")
    assert (body["response_code"], body["response_summary"]) == ("10000", "Approved")
    assert re.match(r"^\d{6}$", body["auth_code"])
    assert INSTANT.match(body["processed_on"])
    assert set(body["balances"]) == BALANCE_KEYS
    links = body["_links"]
    assert links["self"]["href"].endswith(f"/checkout/payments/{body['id']}")
    assert {"self", "actions", "capture", "void"} <= set(links)


def test_payment_details_and_actions_have_the_spec_shapes(checkout: CheckoutHttp) -> None:
    payment_id = checkout.pay(15000, capture=False).json()["id"]

    details = checkout.payment(payment_id)
    actions = checkout.call("GET", f"/payments/{payment_id}/actions").json()

    assert {"id", "requested_on", "amount", "currency", "status", "approved", "_links"} <= set(
        details
    )
    assert details["status"] == "Authorized"
    assert INSTANT.match(details["requested_on"])
    assert [a["type"] for a in actions] == ["Authorization"]
    assert {"id", "type", "amount", "response_code", "processed_on", "approved"} <= set(actions[0])


@pytest.mark.parametrize(
    "auth",
    [
        None,  # no header at all
        "Bearer sk_sbox_wrong",  # another account's key
        "Basic c2tfc2JveDo=",  # the right scheme is Bearer
    ],
)
def test_missing_or_wrong_secret_key_gets_an_empty_401_and_changes_nothing(
    checkout: CheckoutHttp, auth: str | None
) -> None:
    if auth is None:
        del checkout.session.headers["Authorization"]
    else:
        checkout.session.headers["Authorization"] = auth

    created = checkout.pay()
    read = checkout.call("GET", "/payments/pay_abcdefghijklmnopqrstuvwxyz")

    assert (created.status_code, created.content) == (401, b"")
    assert read.status_code == 401
    assert checkout.records()["counts"]["payments"] == 0


@pytest.mark.parametrize(
    ("change", "codes"),
    [
        ({"amount": None}, ["amount_required"]),
        ({"amount": 0}, ["amount_invalid"]),  # zero would be a card verification
        ({"amount": 150.5}, ["amount_invalid"]),  # minor units are integers
        ({"amount": "15000"}, ["amount_invalid"]),
        ({"currency": None}, ["currency_required"]),
        ({"currency": "DIRHAM"}, ["currency_invalid"]),
        ({"source": None}, ["payment_source_required"]),
        ({"source": {"type": "card", "number": "4242424242424242"}}, ["source_invalid"]),
        ({"source": {"type": "id", "id": "card_123"}}, ["source_invalid"]),
        ({"reference": "R" * 51}, ["reference_invalid"]),
        ({"capture": "yes"}, ["capture_invalid"]),
        ({"metadata": {"nested": {"a": 1}}}, ["metadata_invalid"]),
        ({"amount": -5, "currency": 7}, ["amount_invalid", "currency_invalid"]),
    ],
)
def test_invalid_payment_bodies_get_422_with_every_error_code(
    checkout: CheckoutHttp, change: dict[str, Any], codes: list[str]
) -> None:
    body = {
        "amount": 15000,
        "currency": "AED",
        "reference": "BK-1",
        "source": {"type": "id", "id": "src_wmlfc3zyhqzehihu7giusaaawu"},
    }
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}

    response = checkout.call("POST", "/payments", body)

    assert response.status_code == 422
    error = response.json()
    assert set(error) == {"request_id", "error_type", "error_codes"}
    assert error["error_type"] == "request_invalid"
    assert error["error_codes"] == codes
    assert checkout.records()["counts"]["payments"] == 0


def test_token_source_is_accepted_and_gets_a_source_id(checkout: CheckoutHttp) -> None:
    body = {"amount": 500, "currency": "AED", "source": {"type": "token", "token": "tok_abc"}}

    response = checkout.call("POST", "/payments", body)

    assert response.status_code == 201
    assert response.json()["source"]["id"].startswith("src_")


def test_source_naming_decline_is_declined_with_20005(hooked: CheckoutHttp) -> None:
    response = hooked.pay(source=DECLINED_CARD)

    assert response.status_code == 201
    body = response.json()
    assert (body["approved"], body["status"]) == (False, "Declined")
    assert (body["response_code"], body["response_summary"]) == (
        "20005",
        "Declined - Do Not Honour",
    )
    assert "auth_code" not in body
    assert hooked.payment(body["id"])["status"] == "Declined"
    assert hooked.act(body["id"], "captures").status_code == 403
    assert event_types(hooked) == ["payment_declined"]


def test_capture_true_authorizes_then_captures_as_a_separate_action(
    checkout: CheckoutHttp,
) -> None:
    checkout.control(capture_delay_ms=150)

    created = checkout.pay(15000, capture=True).json()
    payment_id = created["id"]
    wait_until(lambda: status_of(checkout, payment_id, "Captured"))

    assert created["status"] == "Authorized"
    actions = checkout.call("GET", f"/payments/{payment_id}/actions").json()
    # Newest first, as the spec's example lists them.
    assert [a["type"] for a in actions] == ["Capture", "Authorization"]
    assert actions[0]["processed_on"] > actions[1]["processed_on"]
    assert checkout.payment(payment_id)["balances"] == {
        "total_authorized": 15000,
        "total_voided": 0,
        "available_to_void": 0,
        "total_captured": 15000,
        "available_to_capture": 0,
        "total_refunded": 0,
        "available_to_refund": 15000,
    }
    assert event_types(checkout) == ["payment_approved", "payment_captured"]


def test_partial_captures_move_through_partially_captured(checkout: CheckoutHttp) -> None:
    payment_id = checkout.pay(10000, capture=False).json()["id"]

    first = checkout.act(payment_id, "captures", {"amount": 4000, "reference": "CAP-1"})
    partly = checkout.payment(payment_id)
    rest = checkout.act(payment_id, "captures")

    assert first.status_code == 202
    assert ACT_ID.match(first.json()["action_id"])
    assert first.json()["reference"] == "CAP-1"
    assert first.json()["_links"]["payment"]["href"].endswith(f"/payments/{payment_id}")
    assert partly["status"] == "Partially Captured"
    assert partly["balances"]["available_to_capture"] == 6000
    assert rest.status_code == 202
    final = checkout.payment(payment_id)
    assert final["status"] == "Captured"
    assert final["balances"]["total_captured"] == 10000


def test_partial_then_full_refund_ends_refunded(hooked: CheckoutHttp) -> None:
    payment_id = hooked.pay(15000).json()["id"]
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))

    partial = hooked.act(payment_id, "refunds", {"amount": 5000, "reference": "RF-1"})
    after_partial = hooked.payment(payment_id)
    too_much = hooked.act(payment_id, "refunds", {"amount": 10001})
    rest = hooked.act(payment_id, "refunds")
    after_full = hooked.payment(payment_id)
    again = hooked.act(payment_id, "refunds", {"amount": 1})

    assert partial.status_code == 202
    assert after_partial["status"] == "Partially Refunded"
    assert after_partial["balances"]["total_refunded"] == 5000
    assert after_partial["balances"]["available_to_refund"] == 10000
    assert too_much.status_code == 422
    assert too_much.json()["error_codes"] == ["refund_amount_exceeds_balance"]
    assert rest.status_code == 202
    assert after_full["status"] == "Refunded"
    assert after_full["balances"]["total_refunded"] == 15000
    assert after_full["balances"]["available_to_refund"] == 0
    assert "refund" not in after_full["_links"]
    assert again.status_code == 403
    refunds = [e for e in hooked.records()["events"] if e["type"] == "payment_refunded"]
    assert [e["data"]["amount"] for e in refunds] == [5000, 10000]


def test_void_of_an_authorized_payment_releases_it_all(hooked: CheckoutHttp) -> None:
    payment_id = hooked.pay(8000, capture=False).json()["id"]

    void = hooked.act(payment_id, "voids", {"reference": "VOID-1"})
    voided = hooked.payment(payment_id)

    assert void.status_code == 202
    assert void.json()["reference"] == "VOID-1"
    assert voided["status"] == "Voided"
    assert voided["balances"]["total_voided"] == 8000
    assert voided["balances"]["available_to_void"] == 0
    assert voided["balances"]["available_to_capture"] == 0
    assert hooked.act(payment_id, "captures").status_code == 403
    assert hooked.act(payment_id, "refunds").status_code == 403
    assert hooked.act(payment_id, "voids").status_code == 403
    assert event_types(hooked) == ["payment_approved", "payment_voided"]


def test_void_before_the_automatic_capture_cancels_it(checkout: CheckoutHttp) -> None:
    checkout.control(capture_delay_ms=60_000)
    payment_id = checkout.pay(8000, capture=True).json()["id"]
    (before,) = checkout.records()["payments"]

    void = checkout.act(payment_id, "voids")

    assert [a["type"] for a in before["scheduled"]] == ["Capture"]
    assert void.status_code == 202
    (after,) = checkout.records()["payments"]
    assert (after["status"], after["scheduled"]) == ("Voided", [])


@pytest.mark.parametrize(
    ("capture", "kind", "body"),
    [
        (False, "refunds", None),  # nothing captured yet
        (True, "voids", None),  # a captured payment cannot be voided
        (True, "captures", None),  # nothing left to capture
    ],
)
def test_action_the_state_does_not_allow_is_403_and_changes_nothing(
    hooked: CheckoutHttp, capture: bool, kind: str, body: Any
) -> None:
    payment_id = hooked.pay(5000, capture=capture).json()["id"]
    wanted = "Captured" if capture else "Authorized"
    wait_until(lambda: status_of(hooked, payment_id, wanted))
    before = hooked.payment(payment_id)

    response = hooked.act(payment_id, kind, body)

    assert (response.status_code, response.content) == (403, b"")
    assert hooked.payment(payment_id)["balances"] == before["balances"]


def test_capture_beyond_the_authorized_amount_is_422(checkout: CheckoutHttp) -> None:
    payment_id = checkout.pay(5000, capture=False).json()["id"]

    response = checkout.act(payment_id, "captures", {"amount": 5001})

    assert response.status_code == 422
    assert response.json()["error_codes"] == ["capture_amount_exceeds_balance"]
    assert checkout.payment(payment_id)["balances"]["total_captured"] == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/actions"),
        ("POST", "/captures"),
        ("POST", "/refunds"),
        ("POST", "/voids"),
    ],
)
def test_unknown_payment_is_404(checkout: CheckoutHttp, method: str, path: str) -> None:
    response = checkout.call(method, f"/payments/pay_abcdefghijklmnopqrstuvwxyz{path}")

    assert response.status_code == 404


def test_source_naming_pending_answers_202_and_is_decided_later(hooked: CheckoutHttp) -> None:
    hooked.control(pending_delay_ms=300)

    response = hooked.pay(7000, source=PENDING_CARD)
    payment_id = response.json()["id"]
    first_look = hooked.payment(payment_id)["status"]
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))

    assert response.status_code == 202
    assert response.json()["status"] == "Pending"
    assert first_look == "Pending"
    assert event_types(hooked) == ["payment_pending", "payment_approved", "payment_captured"]


def test_pending_actions_announce_captures_and_refunds_before_settling(
    hooked: CheckoutHttp,
) -> None:
    hooked.control(pending_actions=True, pending_delay_ms=100)
    payment_id = hooked.pay(9000, capture=False).json()["id"]

    hooked.act(payment_id, "captures")
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))
    hooked.act(payment_id, "refunds", {"amount": 4000})
    wait_until(lambda: status_of(hooked, payment_id, "Partially Refunded"))

    assert event_types(hooked) == [
        "payment_approved",
        "payment_capture_pending",
        "payment_captured",
        "payment_refund_pending",
        "payment_refunded",
    ]


# --- idempotency, limits and faults -----------------------------------------------------------


def test_same_idempotency_key_answers_the_same_and_pays_once(checkout: CheckoutHttp) -> None:
    first = checkout.pay(15000, key="9f0c7a1e-0d7b-4b4e-9a43-1a4f1f1c0001")
    second = checkout.pay(15000, key="9f0c7a1e-0d7b-4b4e-9a43-1a4f1f1c0001")
    other = checkout.pay(15000, key="9f0c7a1e-0d7b-4b4e-9a43-1a4f1f1c0002")

    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert other.json()["id"] != first.json()["id"]
    assert checkout.records()["counts"]["payments"] == 2


def test_same_idempotency_key_refunds_once(hooked: CheckoutHttp) -> None:
    payment_id = hooked.pay(15000).json()["id"]
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))

    first = hooked.act(payment_id, "refunds", {"amount": 1000}, key="refund-BK-1-1")
    second = hooked.act(payment_id, "refunds", {"amount": 1000}, key="refund-BK-1-1")

    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["action_id"] == first.json()["action_id"]
    assert hooked.payment(payment_id)["balances"]["total_refunded"] == 1000


def test_failed_validation_does_not_use_up_the_idempotency_key(checkout: CheckoutHttp) -> None:
    refused = checkout.pay(0, key="key-retry-after-fix")
    fixed = checkout.pay(15000, key="key-retry-after-fix")

    assert refused.status_code == 422
    assert fixed.status_code == 201
    assert checkout.records()["counts"]["payments"] == 1


def test_refused_action_does_not_use_up_the_idempotency_key(checkout: CheckoutHttp) -> None:
    payment_id = checkout.pay(5000, capture=False).json()["id"]

    too_early = checkout.act(payment_id, "refunds", key="refund-BK-2-1")
    checkout.act(payment_id, "captures")
    in_time = checkout.act(payment_id, "refunds", key="refund-BK-2-1")

    assert too_early.status_code == 403
    assert in_time.status_code == 202
    assert checkout.payment(payment_id)["status"] == "Refunded"


def test_concurrent_duplicate_is_refused_with_429_duplicate_request(
    checkout: CheckoutHttp,
) -> None:
    checkout.control(processing_delay_ms=400)

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(checkout.pay, 15000, key="key-concurrent")
        time.sleep(0.1)
        second = pool.submit(CheckoutHttp(checkout.sandbox_url).pay, 15000, key="key-concurrent")
        answers = sorted([first.result(), second.result()], key=lambda r: r.status_code)
    replay = checkout.pay(15000, key="key-concurrent")

    assert [a.status_code for a in answers] == [201, 429]
    assert answers[1].json()["error_type"] == "too_many_requests"
    assert answers[1].json()["error_codes"] == ["duplicate_request"]
    assert replay.json() == answers[0].json()
    assert checkout.records()["counts"]["payments"] == 1


def test_retry_with_the_key_after_a_timeout_after_commit_replays(
    checkout: CheckoutHttp, sandbox: BackgroundServer
) -> None:
    faults = {"timeout_after_commit_rate": 1.0, "hang_s": 0.6}
    requests.put(f"{sandbox.base_url}/_sandbox/checkout/faults", json=faults, timeout=5)

    with pytest.raises(requests.Timeout):
        checkout.call("POST", "/payments", _pay_body(), key="key-lost-answer", timeout=0.3)
    requests.put(f"{sandbox.base_url}/_sandbox/checkout/faults", json={}, timeout=5)
    retry = checkout.pay(15000, key="key-lost-answer")

    assert retry.status_code == 201
    assert checkout.records()["counts"]["payments"] == 1
    assert checkout.records()["payments"][0]["id"] == retry.json()["id"]


@pytest.mark.parametrize(
    ("faults", "status"),
    [
        ({"error_rate": 1.0}, 502),
        ({"timeout_rate": 1.0, "hang_s": 0.1}, 504),
    ],
)
def test_error_and_timeout_faults_change_nothing(
    checkout: CheckoutHttp, sandbox: BackgroundServer, faults: dict[str, Any], status: int
) -> None:
    requests.put(f"{sandbox.base_url}/_sandbox/checkout/faults", json=faults, timeout=5)

    response = checkout.pay(key="key-fault")

    assert response.status_code == status
    assert checkout.records()["counts"]["payments"] == 0
    requests.put(f"{sandbox.base_url}/_sandbox/checkout/faults", json={}, timeout=5)
    assert checkout.pay(key="key-fault").status_code == 201


def test_reads_and_writes_are_rate_limited_apart(checkout: CheckoutHttp) -> None:
    checkout.control(max_rps=3)
    payment_id = checkout.pay(capture=False).json()["id"]

    reads = [checkout.call("GET", f"/payments/{payment_id}").status_code for _ in range(4)]
    write = checkout.pay(capture=False)

    assert reads == [200, 200, 200, 429]
    refused = checkout.call("GET", f"/payments/{payment_id}")
    assert refused.json()["error_type"] == "too_many_requests"
    assert write.status_code == 201


def test_settings_of_the_wrong_kind_or_range_are_refused(checkout: CheckoutHttp) -> None:
    url = f"{checkout.sandbox_url}/_sandbox/checkout/settings"
    wrongs: list[dict[str, Any]] = [
        {"drop_rate": 1.5},
        {"reorder": "yes"},  # never coerced: "false" would read as true
        {"max_rps": 0},
        {"colour": "red"},
        {"webhook_url": "https://hooks.example.com/checkout"},  # the sandbox stays on loopback
    ]
    for wrong in wrongs:
        assert requests.patch(url, json=wrong, timeout=5).status_code == 422, wrong
    assert checkout.control(drop_rate=0.5)["drop_rate"] == 0.5


# --- webhooks ---------------------------------------------------------------------------------


def test_events_are_delivered_signed_over_the_raw_bytes(
    hooked: CheckoutHttp, receiver: Receiver
) -> None:
    secret = Settings.from_env().checkout.webhook_secret
    hooked.pay(15000, metadata={"driver": "José"})

    deliveries = receiver.wait_for(2)

    for delivery in deliveries:
        expected = hmac.new(secret.encode(), delivery.body, hashlib.sha256).hexdigest()
        assert delivery.headers["cko-signature"] == expected
        assert delivery.headers["content-type"] == "application/json"
        # The body carries the literal UTF-8 é, so a re-serialised body signs differently.
        assert "José".encode() in delivery.body
        reserialised = json.dumps(json.loads(delivery.body)).encode()
        assert hmac.new(secret.encode(), reserialised, hashlib.sha256).hexdigest() != expected
    assert [json.loads(d.body) for d in deliveries] == hooked.records()["events"]


def test_webhook_secret_knob_changes_the_signing_key(
    hooked: CheckoutHttp, receiver: Receiver
) -> None:
    hooked.control(webhook_secret="whsec_test_123")

    hooked.pay(capture=False)

    delivery = receiver.wait_for(1)[0]
    digest = hmac.new(b"whsec_test_123", delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["cko-signature"] == digest


def test_every_event_parses_and_has_the_keys_of_its_sample(hooked: CheckoutHttp) -> None:
    hooked.control(pending_delay_ms=0)
    captured = hooked.pay(15000, metadata={"booking": "BK-1"}).json()["id"]
    wait_until(lambda: status_of(hooked, captured, "Captured"))
    hooked.act(captured, "refunds", {"amount": 100})
    hooked.act(hooked.pay(2000, capture=False).json()["id"], "voids")
    hooked.pay(source=DECLINED_CARD)
    hooked.control(pending_actions=True)
    pending = hooked.pay(3000, source=PENDING_CARD, capture=False).json()["id"]
    wait_until(lambda: status_of(hooked, pending, "Authorized"))
    hooked.act(pending, "captures")
    wait_until(lambda: status_of(hooked, pending, "Captured"))
    hooked.act(pending, "refunds")
    wait_until(lambda: status_of(hooked, pending, "Refunded"))

    events = hooked.records()["events"]

    assert {e["type"] for e in events} == {
        "payment_pending",
        "payment_approved",
        "payment_declined",
        "payment_capture_pending",
        "payment_captured",
        "payment_refund_pending",
        "payment_refunded",
        "payment_voided",
    }
    envelope = set(SAMPLES["payment_approved.nas_2022.json"])
    for event in events:
        samples = [s for s in SAMPLES.values() if s["type"] == event["type"]]
        assert set(event) == envelope
        assert EVT_ID.match(event["id"]) and INSTANT.match(event["created_on"])
        sample_keys = set().union(*(s["data"] for s in samples))
        assert set(event["data"]) <= sample_keys, event["type"]
        parsed = parse_event(json.dumps(event).encode())
        assert (parsed.id, parsed.type, parsed.payment_id) == (
            event["id"],
            event["type"],
            event["data"]["id"],
        )
        assert parsed.amount == event["data"]["amount"]
        assert parsed.occurred_at is not None and parsed.processed_on is not None
        if "balances" in event["data"]:
            assert set(event["data"]["balances"]) == BALANCE_KEYS
            assert parsed.balances is not None


def test_events_carry_the_balances_after_their_action(hooked: CheckoutHttp) -> None:
    payment_id = hooked.pay(15000).json()["id"]
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))
    hooked.act(payment_id, "refunds", {"amount": 6000})

    events = {e["type"]: e["data"] for e in hooked.records()["events"]}

    assert events["payment_approved"]["balances"]["available_to_capture"] == 15000
    assert events["payment_captured"]["balances"]["total_captured"] == 15000
    assert events["payment_refunded"]["balances"]["total_refunded"] == 6000
    assert events["payment_refunded"]["balances"]["available_to_refund"] == 9000
    assert events["payment_refunded"]["amount"] == 6000


def test_no_webhook_url_records_events_without_delivering(checkout: CheckoutHttp) -> None:
    checkout.pay(capture=False)

    records = checkout.records()

    assert records["counts"]["events"] == 1
    assert records["counts"]["unrouted"] == 1
    assert records["deliveries"] == []


def test_flush_delivers_everything_pending_and_counts_it(
    checkout: CheckoutHttp, receiver: Receiver
) -> None:
    checkout.control(webhook_url=receiver.url, auto_deliver=False)
    for _ in range(3):
        checkout.pay(capture=False)
    time.sleep(0.3)

    assert receiver.received() == []
    assert checkout.records()["counts"]["pending"] == 3
    assert checkout.flush() == {
        "attempted": 3,
        "delivered": 3,
        "failed": 0,
        "pending": 0,
        "given_up": 0,
    }
    assert len(receiver.received()) == 3


def test_flush_sends_a_resend_before_its_time(checkout: CheckoutHttp, receiver: Receiver) -> None:
    checkout.control(webhook_url=receiver.url, auto_deliver=False)
    receiver.answer_next(500)
    checkout.pay(capture=False)

    failed = checkout.flush()
    resent = checkout.flush()

    assert (failed["failed"], failed["pending"]) == (1, 1)
    assert (resent["delivered"], resent["pending"]) == (1, 0)
    attempts = checkout.records()["deliveries"]
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, 200)]


def test_refused_delivery_is_resent_on_the_compressed_schedule(
    hooked: CheckoutHttp, receiver: Receiver
) -> None:
    hooked.control(time_scale=0.0005)  # 5 min -> 0.15 s, 10 min -> 0.3 s
    receiver.answer_next(500, 503)

    hooked.pay(capture=False)
    arrivals = [d.at for d in receiver.wait_for(3)]

    assert 0.14 <= arrivals[1] - arrivals[0] < 0.3
    assert 0.29 <= arrivals[2] - arrivals[1] < 0.5
    assert len({d.body for d in receiver.received()}) == 1
    attempts = hooked.records()["deliveries"]
    assert [(a["attempt"], a["status_code"]) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert hooked.records()["counts"]["delivered"] == 1


def test_resends_follow_the_documented_schedule_on_the_stand_in_clock(
    clock: ManualClock, receiver: Receiver
) -> None:
    standin = CheckoutStandIn(clock=clock)
    with BackgroundServer(create_app([standin])) as server:
        checkout = CheckoutHttp(server.base_url)

        def recorded(count: int) -> list[dict[str, Any]]:
            # The clock may only move once the stand-in has scheduled the resend from "now".
            attempts: list[dict[str, Any]] = checkout.records()["deliveries"]
            return attempts if len(attempts) >= count else []

        checkout.control(webhook_url=receiver.url)
        receiver.answer_next(500, 500, 500)
        checkout.pay(capture=False)
        wait_until(lambda: recorded(1))

        clock.advance(299)
        time.sleep(0.3)
        early = len(receiver.received())
        clock.advance(1)
        wait_until(lambda: recorded(2))
        clock.advance(599)
        time.sleep(0.3)
        early_again = len(receiver.received())
        clock.advance(1)
        attempts = wait_until(lambda: recorded(3))

    assert (early, early_again) == (1, 2)
    # Attempts at T0, then 5 minutes later, then 10 minutes after that.
    assert [a["at"] for a in attempts] == [
        "2026-11-02T08:00:00.000000Z",
        "2026-11-02T08:05:00.000000Z",
        "2026-11-02T08:15:00.000000Z",
    ]


def test_unreachable_receiver_is_resent_then_given_up(checkout: CheckoutHttp) -> None:
    # 5e-6 compresses the whole 30-hour schedule into about half a second.
    checkout.control(webhook_url="http://127.0.0.1:9/unreachable", time_scale=0.000005)

    checkout.pay(capture=False)
    counts = wait_until(
        lambda: (c := checkout.records()["counts"])["given_up"] == 1 and c, timeout_s=8
    )

    assert counts["attempts"] == 9
    attempts = checkout.records()["deliveries"]
    assert [a["attempt"] for a in attempts] == list(range(1, 10))
    assert all("error" in a for a in attempts)


@pytest.mark.slow
def test_drop_rate_drops_about_that_share_of_events(
    checkout: CheckoutHttp, receiver: Receiver
) -> None:
    checkout.control(
        webhook_url=receiver.url, auto_deliver=False, drop_rate=0.2, seed=11, max_rps=1000
    )
    for _ in range(200):
        checkout.pay(100, capture=False)

    counts = checkout.records()["counts"]
    flushed = checkout.flush()

    assert 25 <= counts["dropped"] <= 60
    assert counts["pending"] == 200 - counts["dropped"]
    assert flushed["delivered"] == len(receiver.received()) == counts["pending"]


@pytest.mark.slow
def test_duplicate_rate_sends_one_to_three_copies_of_the_same_bytes(
    checkout: CheckoutHttp, receiver: Receiver
) -> None:
    checkout.control(
        webhook_url=receiver.url, auto_deliver=False, duplicate_rate=0.3, seed=5, max_rps=1000
    )
    for _ in range(200):
        checkout.pay(100, capture=False)

    checkout.flush()
    copies = Counter(d.body for d in receiver.received())

    assert len(copies) == 200
    assert set(copies.values()) == {1, 2, 3}
    duplicated = sum(1 for n in copies.values() if n > 1)
    assert 40 <= duplicated <= 80
    assert checkout.records()["counts"]["duplicates"] == sum(copies.values()) - 200


def test_same_seed_drops_the_same_events(checkout: CheckoutHttp, receiver: Receiver) -> None:
    def dropped_ids() -> list[str]:
        requests.post(f"{checkout.sandbox_url}/_sandbox/checkout/reset", timeout=5)
        checkout.control(webhook_url=receiver.url, auto_deliver=False, drop_rate=0.5, seed=3)
        for _ in range(20):
            checkout.pay(100, capture=False)
        dropped: list[str] = checkout.records()["dropped"]
        return dropped

    first, second = dropped_ids(), dropped_ids()

    assert first == second
    assert 3 <= len(first) <= 17


def test_reorder_shuffles_deliveries_and_keeps_every_event(
    checkout: CheckoutHttp, receiver: Receiver
) -> None:
    checkout.control(webhook_url=receiver.url, auto_deliver=False, seed=2)
    for _ in range(10):
        checkout.pay(100, capture=False)
    checkout.flush()
    in_order = [json.loads(d.body)["id"] for d in receiver.received()]
    events = [e["id"] for e in checkout.records()["events"]]

    checkout.control(reorder=True)
    for _ in range(10):
        checkout.pay(100, capture=False)
    checkout.flush()
    shuffled = [json.loads(d.body)["id"] for d in receiver.received()[10:]]
    later_events = [e["id"] for e in checkout.records()["events"][10:]]

    assert in_order == events
    assert shuffled != later_events
    assert sorted(shuffled) == sorted(later_events)


def test_delay_holds_deliveries_back_but_keeps_their_order(
    hooked: CheckoutHttp, receiver: Receiver
) -> None:
    hooked.control(delay_ms=300, seed=4)
    started = time.monotonic()
    for _ in range(5):
        hooked.pay(100, capture=False)

    deliveries = receiver.wait_for(5)

    assert [json.loads(d.body)["id"] for d in deliveries] == [
        e["id"] for e in hooked.records()["events"]
    ]
    # Seed 4 draws delays up to 0.28 s, and a delivery never falls due before an earlier one.
    assert deliveries[-1].at - started > 0.25
    assert deliveries[-1].at - started < 2.0


def test_reset_forgets_payments_events_keys_and_knobs(checkout: CheckoutHttp) -> None:
    checkout.control(drop_rate=0.3, webhook_url="http://127.0.0.1:9/x")
    checkout.pay(key="key-before-reset")

    requests.post(f"{checkout.sandbox_url}/_sandbox/checkout/reset", timeout=5)
    records = checkout.records()
    again = checkout.pay(key="key-before-reset")

    assert records["payments"] == records["events"] == records["deliveries"] == []
    assert records["counts"]["idempotency_keys"] == 0
    assert checkout.control()["drop_rate"] == 0.0
    assert again.status_code == 201


def test_inspect_holds_the_truth_of_each_payment(hooked: CheckoutHttp, receiver: Receiver) -> None:
    payment_id = hooked.pay(15000).json()["id"]
    wait_until(lambda: status_of(hooked, payment_id, "Captured"))
    receiver.wait_for(2)

    records = hooked.records()

    (payment,) = records["payments"]
    assert payment["id"] == payment_id
    assert payment["status"] == "Captured"
    assert [a["type"] for a in payment["actions"]] == ["Authorization", "Capture"]
    assert set(payment["balances"]) == BALANCE_KEYS
    assert [e["type"] for e in records["events"]] == ["payment_approved", "payment_captured"]
    for attempt in records["deliveries"]:
        assert {"event_id", "attempt", "status_code", "at"} <= set(attempt)
    assert records["counts"]["delivered"] == 2


def _pay_body() -> dict[str, Any]:
    return {
        "amount": 15000,
        "currency": "AED",
        "reference": "BK-1001",
        "source": {"type": "id", "id": "src_wmlfc3zyhqzehihu7giusaaawu"},
    }
