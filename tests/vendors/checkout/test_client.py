"""The Checkout.com client at the transport seam: request shapes, typed answers, pacing."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from ez_pipelines.clock import ManualClock
from ez_pipelines.vendors.checkout.client import IDEMPOTENCY_HEADER
from ez_pipelines.vendors.checkout.errors import (
    ActionNotAllowed,
    CheckoutRejected,
    PaymentNotFound,
    UnexpectedAnswer,
)
from ez_pipelines.vendors.checkout.models import PaymentRequest
from tests.vendors.checkout.support import (
    ACT_ID,
    CARD,
    PAY_ID,
    Answer,
    Seen,
    checkout_settings,
    payment_answer,
    scripted_client,
)

REQUEST = PaymentRequest(
    amount=45050,
    currency="AED",
    reference="PAY-1",
    capture=True,
    source={"type": "id", "id": CARD},
    customer={"email": "layla@example.com", "name": "Layla Haddad"},
)
KEY = "6e74f34f-6a94-5a85-b688-2fdcf9cd1909"


def accept_everything(seen: Seen) -> Answer:
    if seen.method == "POST" and seen.path == "/payments":
        return 201, payment_answer(seen.body["reference"])
    if seen.method == "POST":
        return 202, {"action_id": ACT_ID, "reference": seen.body.get("reference")}
    if seen.path.endswith("/actions"):
        return 200, [
            {
                "id": ACT_ID,
                "type": "Capture",
                "processed_on": "2026-11-02T08:00:02Z",
                "amount": 45050,
                "approved": True,
                "response_code": "10000",
            },
            {
                "id": "act_y3oqhf46pyzuxjbcn2giaqnb44",
                "type": "Authorization",
                "processed_on": "2026-11-02T12:00:01+04:00",
                "amount": 45050,
                "approved": True,
                "response_code": "10000",
                "reference": "PAY-1",
            },
        ]
    return 200, {
        "id": PAY_ID,
        "requested_on": "2026-11-02T08:00:00Z",
        "amount": 45050,
        "currency": "AED",
        "status": "Captured",
        "approved": True,
        "reference": "PAY-1",
        "source": {"type": "card", "id": CARD},
        "balances": {
            "total_authorized": 45050,
            "total_captured": 45050,
            "available_to_refund": 45050,
        },
        "_links": {},
    }


def test_payment_is_posted_with_the_key_the_bearer_secret_and_minor_units() -> None:
    client, transport = scripted_client(accept_everything)

    answer = client.request_payment(REQUEST, idempotency_key=KEY)

    [seen] = transport.seen
    assert (seen.method, seen.path) == ("POST", "/payments")
    assert seen.headers["Authorization"] == f"Bearer {checkout_settings().secret_key}"
    assert seen.headers[IDEMPOTENCY_HEADER] == KEY
    assert seen.body == dict(REQUEST)
    assert (answer.id, answer.action_id, answer.status) == (PAY_ID, ACT_ID, "Authorized")
    assert answer.approved and answer.processed and not answer.declined
    assert answer.processed_on == datetime(2026, 11, 2, 8, 0, 1, 500000, tzinfo=UTC)


def test_pending_payment_answered_202_is_not_processed_yet() -> None:
    client, _ = scripted_client(lambda seen: (202, {"id": PAY_ID, "status": "Pending"}))

    answer = client.request_payment(REQUEST, idempotency_key=KEY)

    assert (answer.id, answer.status, answer.processed) == (PAY_ID, "Pending", False)
    assert answer.action_id is None


def test_declined_payment_is_an_answer_not_an_error() -> None:
    client, _ = scripted_client(lambda seen: (201, payment_answer("PAY-1", status="Declined")))

    answer = client.request_payment(REQUEST, idempotency_key=KEY)

    assert answer.declined and not answer.approved


def test_every_write_carries_its_idempotency_key_and_documented_body() -> None:
    client, transport = scripted_client(accept_everything)

    refund = client.refund(PAY_ID, amount=5000, reference="RF-1", idempotency_key="k-refund")
    client.refund(PAY_ID, amount=None, reference="RF-2", idempotency_key="k-full-refund")
    client.capture(PAY_ID, amount=300, reference="CAP-1", idempotency_key="k-cap", final=False)
    client.void(PAY_ID, reference="PAY-1", idempotency_key="k-void")

    assert refund.action_id == ACT_ID
    assert refund.reference == "RF-1"
    assert [(s.path, s.headers[IDEMPOTENCY_HEADER], s.body) for s in transport.seen] == [
        (f"/payments/{PAY_ID}/refunds", "k-refund", {"amount": 5000, "reference": "RF-1"}),
        # Without an amount Checkout.com refunds all that is left; None is never sent.
        (f"/payments/{PAY_ID}/refunds", "k-full-refund", {"reference": "RF-2"}),
        (
            f"/payments/{PAY_ID}/captures",
            "k-cap",
            {"amount": 300, "reference": "CAP-1", "capture_type": "NonFinal"},
        ),
        (f"/payments/{PAY_ID}/voids", "k-void", {"reference": "PAY-1"}),
    ]


def test_a_write_without_a_key_or_with_a_fractional_amount_is_never_sent() -> None:
    client, transport = scripted_client(accept_everything)

    with pytest.raises(ValueError):
        client.request_payment(REQUEST, idempotency_key="")
    with pytest.raises(ValueError):
        client.refund(PAY_ID, amount=0, reference="RF-1", idempotency_key="k")

    assert transport.seen == []


def test_payment_details_read_with_status_balances_and_utc_instants() -> None:
    client, transport = scripted_client(accept_everything)

    details = client.get_payment(PAY_ID)

    assert (transport.seen[0].method, transport.seen[0].path) == ("GET", f"/payments/{PAY_ID}")
    assert IDEMPOTENCY_HEADER not in transport.seen[0].headers
    assert (details.id, details.status, details.amount, details.currency) == (
        PAY_ID,
        "Captured",
        45050,
        "AED",
    )
    assert details.balances.total_captured == 45050
    assert details.balances.total_refunded == 0
    assert details.balances.available_to_refund == 45050
    assert details.requested_on == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    assert details.source_id == CARD


def test_actions_are_listed_as_typed_values_in_checkouts_order() -> None:
    client, transport = scripted_client(accept_everything)

    capture, authorization = client.get_actions(PAY_ID)

    assert transport.seen[0].path == f"/payments/{PAY_ID}/actions"
    assert (capture.type, capture.amount, capture.approved) == ("Capture", 45050, True)
    assert authorization.reference == "PAY-1"
    assert authorization.processed_on == datetime(2026, 11, 2, 8, 0, 1, tzinfo=UTC)


def test_payment_id_is_escaped_in_the_path() -> None:
    client, transport = scripted_client(lambda seen: (404, None))

    with pytest.raises(PaymentNotFound):
        client.get_payment("pay_x/../../admin")

    assert transport.seen[0].path == "/payments/pay_x%2F..%2F..%2Fadmin"


def test_refusals_raise_typed_errors_with_the_codes() -> None:
    def refuse(seen: Seen) -> Answer:
        if seen.path.endswith("/refunds"):
            return 422, {
                "request_id": "0HL80RJLS76I7",
                "error_type": "request_invalid",
                "error_codes": ["refund_amount_exceeds_balance"],
            }
        return 403, None

    client, _ = scripted_client(refuse)

    with pytest.raises(CheckoutRejected) as rejected:
        client.refund(PAY_ID, amount=99999, reference="RF-1", idempotency_key="k")
    with pytest.raises(ActionNotAllowed):
        client.void(PAY_ID, reference="PAY-1", idempotency_key="k2")

    assert rejected.value.error_codes == ("refund_amount_exceeds_balance",)


def test_a_success_without_the_documented_fields_is_an_unexpected_answer() -> None:
    client, _ = scripted_client(lambda seen: (201, {"status": "Authorized"}))

    with pytest.raises(UnexpectedAnswer):
        client.request_payment(REQUEST, idempotency_key=KEY)


def test_writes_are_spread_evenly_and_paced_apart_from_reads(clock: ManualClock) -> None:
    client, _ = scripted_client(accept_everything, clock=clock, writes_per_s=2, reads_per_s=2)

    for n in range(5):
        client.refund(PAY_ID, amount=1, reference=f"RF-{n}", idempotency_key=f"k{n}")
    writes_done_at = clock.monotonic()
    client.get_payment(PAY_ID)

    # Two writes a second, one every half second rather than two at once.
    assert clock.slept == [0.5, 0.5, 0.5, 0.5]
    assert writes_done_at == 2.0
    assert clock.monotonic() == 2.0


def test_eighty_writes_a_second_go_eight_per_tenth(clock: ManualClock) -> None:
    client, _ = scripted_client(accept_everything, clock=clock)

    for n in range(80):
        client.refund(PAY_ID, amount=1, reference=f"RF-{n}", idempotency_key=f"k{n}")

    # No tenth of a second carries more than 8, so no second ever carries more than 80.
    assert client.writes.burst == 8
    assert clock.monotonic() == pytest.approx(0.9)


def test_logs_give_paths_and_codes_never_the_secret_or_bodies(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ez_pipelines")
    client, _ = scripted_client(
        lambda seen: (422, {"error_type": "request_invalid", "error_codes": ["amount_invalid"]})
    )

    with pytest.raises(CheckoutRejected) as rejected:
        client.request_payment(REQUEST, idempotency_key=KEY)

    assert "checkout POST /payments -> 422 amount_invalid" in caplog.text
    secret = checkout_settings().secret_key
    for text in (caplog.text, rejected.value.message):
        assert secret not in text
        assert "layla@example.com" not in text
        assert CARD not in text
