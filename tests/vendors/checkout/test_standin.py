"""Payments and refunds through the outbox against the sandbox's Checkout.com stand-in.

The stand-in keeps idempotency keys, limits, refusals and faults as Checkout.com documents
them, so these tests prove the adapter's promises end to end: a payment is taken once whatever
is lost on the way, a declined card is still a payment Checkout.com holds, a refund waits for
its payment, and an impossible refund goes to a person.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.projection import Projection
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.checkout.errors import (
    ActionNotAllowed,
    CheckoutAuthenticationFailed,
    CheckoutRejected,
    CheckoutUnavailable,
    DuplicateRequestInFlight,
    PaymentNotFound,
)
from ez_pipelines.vendors.checkout.idempotency import idempotency_key
from ez_pipelines.vendors.checkout.models import PaymentRequest
from ez_pipelines.vendors.checkout.sync import CheckoutPayments, CheckoutRefunds
from ez_pipelines.vendors.http import ResponseTimedOut, Timeout
from tests.vendors.checkout.support import (
    CARD,
    add_booking,
    add_payment,
    add_refund,
    checkout_settings,
    external_ref,
    outbox_row,
)

# The client gives up after READ_TIMEOUT_S; a fault hangs the stand-in for HANG_S.
READ_TIMEOUT_S = 0.5
HANG_S = 1.5
TIMEOUT: Timeout = (1.0, READ_TIMEOUT_S)
FAST_RETRY = RetryPolicy(base_s=0.05, cap_s=0.2)


@pytest.fixture
def checkout_url(sandbox: BackgroundServer) -> str:
    assert "checkout" in sandbox.app.state.standins, "the sandbox does not mount Checkout.com"
    return f"{sandbox.base_url}/checkout"


@pytest.fixture
def client(checkout_url: str) -> Iterator[CheckoutClient]:
    with CheckoutClient(checkout_settings(checkout_url), timeout=TIMEOUT) as checkout:
        yield checkout


def dispatcher(db: Database, projection: Projection) -> Dispatcher:
    return Dispatcher(db, projection, policy=FAST_RETRY, clock=SYSTEM_CLOCK, rng=random.Random(3))


def held_payments(sandbox_client: SandboxClient, reference: str) -> list[dict[str, Any]]:
    payments: list[dict[str, Any]] = sandbox_client.records("checkout")["payments"]
    return [p for p in payments if p["reference"] == reference]


def request_for(reference: str, source: str = CARD, amount: int = 45000) -> PaymentRequest:
    return PaymentRequest(
        amount=amount,
        currency="AED",
        reference=reference,
        capture=True,
        source={"type": "id", "id": source},
    )


def test_payment_committed_before_its_answer_was_lost_is_taken_once(
    sqlite_db: Database, client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    add_booking(sqlite_db)
    add_payment(sqlite_db)
    payments = dispatcher(sqlite_db, CheckoutPayments(client))
    sandbox_client.set_faults("checkout", timeout_after_commit_rate=1.0, hang_s=HANG_S)

    first = payments.dispatch_batch()

    assert (first.retried, first.errors) == (1, {"ResponseTimedOut": 1})
    sandbox_client.set_faults("checkout")
    payments.drain(max_seconds=10)

    [held] = held_payments(sandbox_client, "PAY-1")
    ref = external_ref(sqlite_db, "payment", "PAY-1")
    assert ref is not None
    assert (ref.vendor_id, ref.vendor_key) == (held["id"], idempotency_key("payment", "PAY-1"))
    row = outbox_row(sqlite_db, "payment", "PAY-1")
    assert (row.status, row.attempts) == (DONE, 2)
    stats = sandbox_client.stats("checkout")
    assert stats["requests"]["create_payment"] == 2
    assert sandbox_client.records("checkout")["counts"]["idempotency_keys"] == 1


def test_the_same_request_without_the_key_would_have_taken_the_payment_twice(
    client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    # What the key prevents: two different keys for one payment are two payments.
    sandbox_client.set_faults("checkout", timeout_after_commit_rate=1.0, hang_s=HANG_S)
    with pytest.raises(ResponseTimedOut):
        client.request_payment(request_for("PAY-9"), idempotency_key="first-try")
    sandbox_client.set_faults("checkout")

    again = client.request_payment(request_for("PAY-9"), idempotency_key="second-try")
    same = client.request_payment(request_for("PAY-9"), idempotency_key="second-try")

    assert same.id == again.id
    assert len(held_payments(sandbox_client, "PAY-9")) == 2


def test_declined_card_still_syncs_as_a_payment_checkout_holds(
    sqlite_db: Database, client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    add_booking(sqlite_db)
    add_payment(sqlite_db, source_ref="src_decline_insufficient_funds")

    report = dispatcher(sqlite_db, CheckoutPayments(client)).drain(max_seconds=5)

    assert report.created == 1
    [held] = held_payments(sandbox_client, "PAY-1")
    assert (held["status"], held["approved"]) == ("Declined", False)
    ref = external_ref(sqlite_db, "payment", "PAY-1")
    assert ref is not None
    assert ref.vendor_id == held["id"]


def test_refund_before_its_payment_reached_checkout_waits_then_succeeds(
    sqlite_db: Database, client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", capture_delay_ms=0)
    add_booking(sqlite_db)
    add_payment(sqlite_db)
    add_refund(sqlite_db, amount_minor=5000)
    refunds = dispatcher(sqlite_db, CheckoutRefunds(client))

    waiting = refunds.dispatch_batch()

    assert (waiting.retried, waiting.errors) == (1, {"PaymentNotAtCheckoutYet": 1})
    assert outbox_row(sqlite_db, "refund", "RF-1").status == PENDING
    assert "refunds" not in sandbox_client.stats("checkout")["requests"]

    dispatcher(sqlite_db, CheckoutPayments(client)).drain(max_seconds=5)
    done = refunds.drain(max_seconds=10)

    assert done.created == 1
    [held] = held_payments(sandbox_client, "PAY-1")
    [refund] = [a for a in held["actions"] if a["type"] == "Refund"]
    assert (refund["amount"], refund["reference"]) == (5000, "RF-1")
    ref = external_ref(sqlite_db, "refund", "RF-1")
    assert ref is not None
    assert ref.vendor_id == refund["id"]
    assert held["balances"]["total_refunded"] == 5000


def test_refund_over_the_available_amount_is_dead_lettered_with_checkouts_code(
    sqlite_db: Database, client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", capture_delay_ms=0)
    add_booking(sqlite_db)
    add_payment(sqlite_db, amount_minor=45000)
    add_refund(sqlite_db, amount_minor=45001)
    dispatcher(sqlite_db, CheckoutPayments(client)).drain(max_seconds=5)

    report = dispatcher(sqlite_db, CheckoutRefunds(client)).drain(max_seconds=5)

    assert (report.dead_lettered, report.errors) == (1, {"CheckoutRejected": 1})
    row = outbox_row(sqlite_db, "refund", "RF-1")
    assert row.status == DEAD
    assert "refund_amount_exceeds_balance" in (row.last_error or "")
    [held] = held_payments(sandbox_client, "PAY-1")
    assert held["balances"]["total_refunded"] == 0


def test_refund_before_the_capture_is_processed_is_not_allowed_yet(
    client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", capture_delay_ms=60_000)
    payment = client.request_payment(request_for("PAY-1"), idempotency_key="k-pay")

    with pytest.raises(ActionNotAllowed) as refused:
        client.refund(payment.id, amount=100, reference="RF-1", idempotency_key="k-refund")

    assert refused.value.http_status == 403


def test_payment_read_back_with_status_balances_and_actions(
    client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", capture_delay_ms=0)
    answer = client.request_payment(request_for("PAY-1", amount=45050), idempotency_key="k")

    details = client.get_payment(answer.id)
    actions = client.get_actions(answer.id)

    assert answer.processed and answer.approved
    assert (details.status, details.amount, details.reference) == ("Captured", 45050, "PAY-1")
    assert details.balances.total_captured == 45050
    assert details.balances.available_to_refund == 45050
    assert [a.type for a in actions] == ["Capture", "Authorization"]
    assert all(a.processed_on is not None and a.processed_on.tzinfo for a in actions)
    with pytest.raises(PaymentNotFound):
        client.get_payment("pay_" + "a" * 26)


def test_invalid_payment_is_refused_with_the_codes_checkout_gives(client: CheckoutClient) -> None:
    with pytest.raises(CheckoutRejected) as refused:
        client.request_payment(
            PaymentRequest(amount=45000, currency="aed", reference="PAY-1"), idempotency_key="k"
        )

    assert set(refused.value.error_codes) == {"currency_invalid", "payment_source_required"}


def test_a_wrong_secret_key_is_authentication_failed(checkout_url: str) -> None:
    settings = checkout_settings(checkout_url, secret_key="sk_sbox_not_ours")
    with (
        CheckoutClient(settings, timeout=TIMEOUT) as wrong,
        pytest.raises(CheckoutAuthenticationFailed),
    ):
        wrong.request_payment(request_for("PAY-1"), idempotency_key="k")


def test_a_second_request_with_a_key_still_processing_waits_30_seconds(
    client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", processing_delay_ms=400)
    first: list[object] = []
    racer = threading.Thread(
        target=lambda: first.append(
            client.request_payment(request_for("PAY-1"), idempotency_key="k")
        )
    )
    racer.start()
    try:
        while sandbox_client.stats("checkout")["in_flight"] < 1:
            time.sleep(0.01)
        with pytest.raises(DuplicateRequestInFlight) as duplicate:
            client.request_payment(request_for("PAY-1"), idempotency_key="k")
    finally:
        racer.join()

    assert duplicate.value.retry_after_s == 30.0
    assert len(first) == 1
    assert len(held_payments(sandbox_client, "PAY-1")) == 1


def test_a_failed_write_is_never_resent_by_the_client(
    client: CheckoutClient, sandbox_client: SandboxClient
) -> None:
    sandbox_client.set_faults("checkout", error_rate=1.0)

    with pytest.raises(CheckoutUnavailable):
        client.request_payment(request_for("PAY-1"), idempotency_key="k")

    assert sandbox_client.stats("checkout")["requests"]["create_payment"] == 1


def test_a_push_stays_under_the_rate_limit(
    sqlite_db: Database, checkout_url: str, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("checkout", max_rps=10)
    add_booking(sqlite_db)
    for n in range(15):
        add_payment(sqlite_db, f"PAY-{n}")

    # Unpaced, a push of 15 with 8 workers would send more than 10 within a second. Our share
    # stays well under the limit, as in production, so arrival jitter cannot cross it.
    settings = checkout_settings(checkout_url)
    with CheckoutClient(settings, timeout=TIMEOUT, writes_per_s=6) as paced:
        report = dispatcher(sqlite_db, CheckoutPayments(paced)).drain(max_seconds=10)

    assert report.created == 15
    assert sandbox_client.records("checkout")["counts"]["rate_limited"] == 0
