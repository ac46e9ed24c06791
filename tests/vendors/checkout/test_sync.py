"""The payment and refund projections driven by the outbox, Checkout.com scripted at the seam."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.deadletters import retry_dead_letters
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import Permanent
from ez_pipelines.outbox.projection import Outbound, Projection, Pushed
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING
from ez_pipelines.vendors.checkout.client import IDEMPOTENCY_HEADER
from ez_pipelines.vendors.checkout.idempotency import idempotency_key, key_may_be_forgotten
from ez_pipelines.vendors.checkout.sync import (
    CheckoutPayments,
    CheckoutRefunds,
    PaymentNotAtCheckoutYet,
)
from tests.vendors.checkout.support import (
    ACT_ID,
    CARD,
    PAY_ID,
    Answer,
    ScriptedCheckout,
    Seen,
    add_booking,
    add_payment,
    add_refund,
    external_ref,
    outbox_row,
    payment_answer,
    scripted_client,
)


class Checkout:
    """A scripted Checkout.com: payments get ids in order, refunds are accepted, and `fail`
    decides per request whether it is answered with an error instead."""

    def __init__(self) -> None:
        self.fail: list[Answer] = []
        self.payments: dict[str, str] = {}

    def __call__(self, seen: Seen) -> Answer:
        if self.fail:
            return self.fail.pop(0)
        if seen.path == "/payments":
            reference = seen.body["reference"]
            pay_id = self.payments.setdefault(reference, f"pay_{len(self.payments):026d}")
            return 201, payment_answer(reference, pay_id=pay_id)
        return 202, {"action_id": ACT_ID, "reference": seen.body["reference"]}


@dataclass(frozen=True)
class Rig:
    checkout: Checkout
    transport: ScriptedCheckout
    payments: CheckoutPayments
    refunds: CheckoutRefunds


@pytest.fixture
def rig(clock: ManualClock) -> Iterator[Rig]:
    checkout = Checkout()
    client, transport = scripted_client(checkout)
    with client:
        yield Rig(
            checkout,
            transport,
            CheckoutPayments(client, clock=clock),
            CheckoutRefunds(client, clock=clock),
        )


def dispatcher(db: Database, projection: Projection, clock: ManualClock) -> Dispatcher:
    return Dispatcher(
        db,
        projection,
        policy=RetryPolicy(base_s=1, cap_s=4, conflict_attempts=3),
        clock=clock,
        rng=random.Random(5),
    )


def test_payment_build_maps_rows_with_their_booking_and_customer(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())

    with sqlite_db.read() as session:
        built = rig.payments.build(session, ["PAY-1", "PAY-GONE"])

    assert built == {
        "PAY-1": {
            "amount": 45000,
            "currency": "AED",
            "reference": "PAY-1",
            "capture": True,
            "source": {"type": "id", "id": CARD},
            "customer": {"email": "layla@example.com", "name": "Layla Haddad"},
            "metadata": {"booking_id": "BK-1"},
        }
    }


def test_payment_reaches_checkout_and_its_id_and_key_are_stored(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())

    report = dispatcher(sqlite_db, rig.payments, clock).dispatch_batch()

    assert report.created == 1
    [seen] = rig.transport.seen
    assert seen.headers[IDEMPOTENCY_HEADER] == idempotency_key("payment", "PAY-1")
    ref = external_ref(sqlite_db, "payment", "PAY-1")
    assert ref is not None
    assert (ref.vendor_id, ref.vendor_key) == ("pay_" + "0" * 26, seen.headers[IDEMPOTENCY_HEADER])
    assert outbox_row(sqlite_db, "payment", "PAY-1").status == DONE


def test_a_retried_payment_sends_the_same_key_as_its_first_attempt(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    add_payment(sqlite_db, "PAY-2", now=clock.now())
    rig.checkout.fail = [(502, None), (502, None)]
    outbox = dispatcher(sqlite_db, rig.payments, clock)

    first = outbox.dispatch_batch()
    clock.advance(60)
    second = outbox.dispatch_batch()

    assert (first.retried, second.created) == (2, 2)
    keys: dict[str, list[str]] = {}
    for seen in rig.transport.seen:
        keys.setdefault(seen.body["reference"], []).append(seen.headers[IDEMPOTENCY_HEADER])
    assert keys == {
        "PAY-1": [idempotency_key("payment", "PAY-1")] * 2,
        "PAY-2": [idempotency_key("payment", "PAY-2")] * 2,
    }


def test_payment_without_a_card_on_file_is_dead_lettered_naming_it_unsent(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    with sqlite_db.write() as session:
        payment = session.get(Payment, "PAY-1")
        assert payment is not None
        payment.source_ref = None

    report = dispatcher(sqlite_db, rig.payments, clock).dispatch_batch()

    assert report.dead_lettered == 1
    row = outbox_row(sqlite_db, "payment", "PAY-1")
    assert row.status == DEAD
    assert "no card on file (source_ref)" in (row.last_error or "")
    assert rig.transport.seen == []


def test_payment_checkout_told_us_about_by_webhook_is_linked_not_requested_again(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    with sqlite_db.write() as session:
        payment = session.get(Payment, "PAY-1")
        assert payment is not None
        payment.provider_payment_id = PAY_ID

    report = dispatcher(sqlite_db, rig.payments, clock).dispatch_batch()

    assert report.linked == 1
    assert rig.transport.seen == []
    ref = external_ref(sqlite_db, "payment", "PAY-1")
    assert ref is not None
    assert ref.vendor_id == PAY_ID


def test_payment_checkout_already_holds_is_never_posted_again(rig: Rig) -> None:
    payload = {"amount": 1, "currency": "AED", "reference": "PAY-1", "source": {}}

    results = rig.payments.push([Outbound("PAY-1", payload, vendor_id=PAY_ID)])

    assert results["PAY-1"] == Pushed(PAY_ID, "linked", idempotency_key("payment", "PAY-1"))
    assert rig.transport.seen == []


def test_refund_waits_while_its_payment_is_not_at_checkout_then_goes(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    add_refund(sqlite_db, now=clock.now())
    refund_outbox = dispatcher(sqlite_db, rig.refunds, clock)

    waiting = refund_outbox.dispatch_batch()

    assert (waiting.retried, waiting.errors) == (1, {"PaymentNotAtCheckoutYet": 1})
    assert outbox_row(sqlite_db, "refund", "RF-1").status == PENDING
    assert rig.transport.seen == []

    dispatcher(sqlite_db, rig.payments, clock).dispatch_batch()
    clock.advance(60)
    done = refund_outbox.dispatch_batch()

    assert done.created == 1
    refund_post = rig.transport.seen[-1]
    assert refund_post.path == f"/payments/pay_{'0' * 26}/refunds"
    assert refund_post.body == {"amount": 5000, "reference": "RF-1"}
    assert refund_post.headers[IDEMPOTENCY_HEADER] == idempotency_key("refund", "RF-1")
    ref = external_ref(sqlite_db, "refund", "RF-1")
    assert ref is not None
    assert ref.vendor_id == ACT_ID


def test_refund_uses_the_payment_id_a_webhook_brought_before_our_own_answer(
    sqlite_db: Database, clock: ManualClock, rig: Rig
) -> None:
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    add_refund(sqlite_db, now=clock.now())
    with sqlite_db.write() as session:
        payment = session.get(Payment, "PAY-1")
        assert payment is not None
        payment.provider_payment_id = PAY_ID

    with sqlite_db.read() as session:
        built = rig.refunds.build(session, ["RF-1"])

    assert built["RF-1"]["payment_id"] == PAY_ID


def test_refund_checkout_made_already_is_never_posted_again(rig: Rig) -> None:
    payload = {"payment_id": PAY_ID, "body": {"amount": 5000, "reference": "RF-1"}}

    results = rig.refunds.push([Outbound("RF-1", payload, vendor_id=ACT_ID)])

    assert isinstance(results["RF-1"], Pushed)
    assert results["RF-1"].outcome == "linked"
    assert rig.transport.seen == []


def test_a_refund_push_without_a_payment_id_is_retryable(rig: Rig) -> None:
    payload = {"payment_id": None, "body": {"amount": 5000, "reference": "RF-1"}}

    result = rig.refunds.push([Outbound("RF-1", payload)])["RF-1"]

    assert isinstance(result, PaymentNotAtCheckoutYet)
    assert result.kind == "retryable"
    assert "payment not at Checkout.com yet" in result.message


def test_one_record_failing_oddly_leaves_the_others_sent(rig: Rig) -> None:
    good = {"amount": 1, "currency": "AED", "reference": "PAY-1", "source": {"id": CARD}}
    # Not JSON at all: a bug of ours, which must not take the other records down with it.
    broken = {**good, "reference": "PAY-2", "amount": object()}

    results = rig.payments.push([Outbound("PAY-1", good), Outbound("PAY-2", broken)])

    assert isinstance(results["PAY-1"], Pushed)
    assert type(results["PAY-2"]) is Permanent
    assert "unexpected TypeError" in results["PAY-2"].message
    assert len(rig.transport.seen) == 1


def test_a_push_sends_its_payments_concurrently() -> None:
    lock = threading.Lock()
    in_flight, most = 0, 0

    def slow(seen: Seen) -> Answer:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.05)
        with lock:
            in_flight -= 1
        return 201, payment_answer(seen.body["reference"])

    client, _ = scripted_client(slow)
    items = [
        Outbound(
            f"PAY-{n}", {"amount": 1, "currency": "AED", "reference": f"PAY-{n}", "source": {}}
        )
        for n in range(16)
    ]

    results = CheckoutPayments(client, workers=4).push(items)

    assert all(isinstance(result, Pushed) for result in results.values())
    assert most == 4


@pytest.mark.parametrize(
    ("lifetime_s", "retry_after_s", "forgotten"),
    [
        (86_400, 60, False),  # a retry a minute later: the key still holds
        (86_400, 22 * 3600, False),  # within 22.8 h of 24
        (86_400, 23 * 3600, True),  # too close to the end of its lifetime to trust
        (120, 100, False),  # a sandbox that forgets keys after 120 s
        (120, 114, True),
    ],
)
def test_a_key_is_trusted_only_well_inside_its_lifetime(
    lifetime_s: float, retry_after_s: float, forgotten: bool
) -> None:
    tried = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    now = tried + timedelta(seconds=retry_after_s)

    assert key_may_be_forgotten(tried, now=now, lifetime_s=lifetime_s) is forgotten
    assert key_may_be_forgotten(None, now=now, lifetime_s=lifetime_s) is False


@pytest.mark.parametrize("kind", ["payment", "refund"])
def test_a_request_that_failed_a_day_ago_waits_for_a_person_then_goes_when_retried(
    sqlite_db: Database, clock: ManualClock, kind: str
) -> None:
    checkout = Checkout()
    client, transport = scripted_client(checkout)
    payments = CheckoutPayments(client, clock=clock)
    projection: Projection = payments if kind == "payment" else CheckoutRefunds(client, clock=clock)
    add_booking(sqlite_db, now=clock.now())
    add_payment(sqlite_db, now=clock.now())
    if kind == "refund":
        dispatcher(sqlite_db, payments, clock).dispatch_batch()
        add_refund(sqlite_db, now=clock.now())
    record_id = "PAY-1" if kind == "payment" else "RF-1"
    sent_before = len(transport.seen)
    outbox = dispatcher(sqlite_db, projection, clock)

    # The first answer is lost: Checkout.com may have acted. A day later the key may be gone.
    checkout.fail = [(502, None)]
    assert outbox.dispatch_batch().retried == 1
    clock.advance(23.5 * 3600)
    late = outbox.dispatch_batch()

    assert late.dead_lettered == 1
    row = outbox_row(sqlite_db, kind, record_id)
    assert row.status == DEAD
    assert f"reference {record_id}" in (row.last_error or "")
    assert len(transport.seen) == sent_before + 1

    retry_dead_letters(sqlite_db, [row.id], now=clock.now())
    assert outbox.dispatch_batch().created == 1
    assert outbox_row(sqlite_db, kind, record_id).status == DONE
    assert len(transport.seen) == sent_before + 2
    client.close()
