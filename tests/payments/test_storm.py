"""A storm of Checkout.com webhooks: duplicated, dropped for good, shuffled; one poll mends it.

500 payments go from our outbox to the Checkout.com stand-in over HTTP, each on a 3-D Secure
card, so each is first pending and then approved (and captured) or declined. Refunds we ask for
go the same way, once, twice or in full. That makes over 2,000 events. The stand-in holds every
delivery until one flush, then signs and sends each event 1 to 3 times, drops a fifth of them
for good, and sends the rest in shuffled order to our webhook receiver, itself on HTTP, over
the real SQLite store. The inbox is processed, one polling pass asks Checkout.com about what is
still unsure, and the captures and refunds go to the NetSuite stand-in.

Then every payment says what Checkout.com says, NetSuite holds each capture and each refund
once, and the day's reconciliation finds no gap.

The stand-in runs on the test's clock: pending payments are decided only when the clock is
moved, and our pushes go one at a time, so every event is published in the same order on every
run and the seeded drops, copies and shuffle fall on the same events.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.bookings import BookingInput, upsert_booking
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.canonical.payments import PaymentInput, request_payment, request_refund
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.projection import Projection
from ez_pipelines.outbox.report import SyncReport
from ez_pipelines.payments.polling import poll_payments
from ez_pipelines.payments.processing import process_events
from ez_pipelines.payments.reconcile import reconcile_day
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.checkout.standin import CheckoutStandIn
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.checkout.client import CheckoutClient
from ez_pipelines.vendors.checkout.sync import CheckoutPayments, CheckoutRefunds
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers, NetSuitePaymentActions
from tests.conftest import T0
from tests.ops.webhook_checkout import URL, settings_for
from tests.sandbox.checkout_http import CheckoutHttp

SEED = 20261102
CUSTOMERS = 100
# (payments, refunds asked for as shares of the amount); None: the card is declined.
MIX: tuple[tuple[int, tuple[float, ...] | None], ...] = (
    (50, None),
    (70, ()),
    (150, (0.25,)),
    (180, (0.25, 0.2)),
    (50, (1.0,)),
)
PAYMENTS = sum(count for count, _ in MIX)
DROP_RATE = 0.2
DUPLICATE_RATE = 0.5
PENDING_S = 1.0
"""How long Checkout.com takes over 3-D Secure, on the test's clock."""
# Our client's pacing, raised from 80 a second: it is tested elsewhere, and here it would add
# ~20 s of waiting. The stand-in counts its per-second limit on the test's clock, which stands
# still while we send, so its limit is lifted too.
CLIENT_PER_S = 2000
STANDIN_MAX_RPS = 100_000
TIMEOUT = (2.0, 30.0)
DAY = date(2026, 11, 2)
"""T0 (08:00Z) is noon in Dubai: every payment is of this day."""
# Checkout.com's statuses of the payments this test makes, in our words.
OUR_STATUS = {
    "Declined": "declined",
    "Captured": "captured",
    "Partially Refunded": "partially_refunded",
    "Refunded": "refunded",
}


@dataclass(frozen=True)
class Planned:
    payment_id: str
    customer_id: str
    amount_minor: int
    declined: bool
    refunds: tuple[int, ...]


def plan() -> list[Planned]:
    rng = random.Random(SEED)
    kinds = [refunds for count, refunds in MIX for _ in range(count)]
    rng.shuffle(kinds)
    planned = []
    for n, refunds in enumerate(kinds):
        amount = rng.randrange(10_000, 300_000, 50)
        planned.append(
            Planned(
                payment_id=f"PAY-S{n:04d}",
                customer_id=f"CUS-S{rng.randrange(CUSTOMERS):03d}",
                amount_minor=amount,
                declined=refunds is None,
                refunds=tuple(int(amount * share) for share in refunds or ()),
            )
        )
    return planned


@dataclass
class Rig:
    db: Database
    clock: ManualClock
    settings: Settings
    control: SandboxClient
    checkout_http: CheckoutHttp
    checkout: CheckoutClient
    netsuite: NetSuiteClient


@pytest.fixture
def rig(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[Rig]:
    """Both stand-ins in one sandbox and our receiver, each on its own loopback port."""
    settings = settings_for(tmp_path)
    standins = [
        NetSuiteStandIn(settings.netsuite),
        CheckoutStandIn(settings.checkout, clock=clock, seed=SEED),
    ]
    ops = create_ops_app(settings, sqlite_db, clock=clock)
    with ExitStack() as stack:
        sandbox = stack.enter_context(BackgroundServer(create_app(standins)))
        receiver = stack.enter_context(BackgroundServer(ops))
        stack.callback(ops.state.writer.close)
        control = SandboxClient(sandbox.base_url)
        stack.callback(control.close)
        control.configure(
            "checkout",
            webhook_url=f"{receiver.base_url}{URL}",
            auto_deliver=False,
            drop_rate=DROP_RATE,
            duplicate_rate=DUPLICATE_RATE,
            reorder=True,
            pending_delay_ms=PENDING_S * 1000,
            capture_delay_ms=0,
            max_rps=STANDIN_MAX_RPS,
            seed=SEED,
        )
        checkout_settings = replace(settings.checkout, base_url=f"{sandbox.base_url}/checkout")
        checkout = CheckoutClient(
            checkout_settings, timeout=TIMEOUT, reads_per_s=CLIENT_PER_S, writes_per_s=CLIENT_PER_S
        )
        netsuite_settings = replace(
            settings.netsuite, base_url=f"{sandbox.base_url}/netsuite/services/rest"
        )
        netsuite = NetSuiteClient(netsuite_settings, timeout=TIMEOUT)
        stack.enter_context(checkout)
        stack.enter_context(netsuite)
        yield Rig(
            sqlite_db, clock, settings, control, CheckoutHttp(sandbox.base_url), checkout, netsuite
        )


def add_payments(db: Database, planned: list[Planned], *, now: datetime) -> None:
    """Customers, their bookings and a payment of each booking, on 3-D Secure cards."""
    with db.write() as session:
        for customer_id in sorted({p.customer_id for p in planned}):
            n = customer_id.removeprefix("CUS-S")
            upsert_customer(
                session,
                CustomerInput(customer_id, "Layla", f"Haddad{n}", f"layla.{n}@example.com"),
                now=now,
            )
        session.flush()
        for p in planned:
            booking_id = p.payment_id.replace("PAY", "BK")
            upsert_booking(
                session,
                BookingInput(
                    booking_id,
                    p.customer_id,
                    None,
                    pickup_at=T0 + timedelta(days=1),
                    return_due_at=T0 + timedelta(days=4),
                    rental_amount_minor=p.amount_minor,
                    currency="AED",
                ),
                now=now,
            )
            card = f"src_pending_{'decline' if p.declined else '3ds'}_{p.payment_id[-4:]}"
            request_payment(
                session,
                PaymentInput(p.payment_id, booking_id, p.amount_minor, "AED", card),
                now=now,
            )


def add_refunds(db: Database, planned: list[Planned], *, now: datetime) -> int:
    """The refunds of the plan, asked for through our outbox; returns how many."""
    with db.write() as session:
        for p in planned:
            for k, amount in enumerate(p.refunds):
                request_refund(
                    session,
                    refund_id=f"RF-{p.payment_id}-{k}",
                    payment_id=p.payment_id,
                    amount_minor=amount,
                    reason="deposit returned",
                    now=now,
                )
    return sum(len(p.refunds) for p in planned)


def drain(rig: Rig, projection: Projection) -> SyncReport:
    dispatcher = Dispatcher(rig.db, projection, clock=rig.clock, rng=random.Random(SEED))
    report = dispatcher.drain(max_seconds=600)
    assert (report.dead_lettered, dispatcher.pending_count()) == (0, 0), report
    return report


def held_at_checkout(rig: Rig) -> dict[str, dict[str, Any]]:
    """The stand-in's payments by our id (their reference), once none is still being decided."""
    for _ in range(10):
        payments = rig.control.records("checkout")["payments"]
        if all(p["status"] != "Pending" and not p["scheduled"] for p in payments):
            return {p["reference"]: p for p in payments}
    raise AssertionError("the stand-in did not decide its payments")


def truth(held: dict[str, Any]) -> tuple[str, int, int, frozenset[tuple[str, str, int]]]:
    """Status, captured, refunded, and the capture and refund actions, as Checkout.com has them."""
    kinds = {"Capture": "capture", "Refund": "refund"}
    actions = frozenset(
        (a["id"], kinds[a["type"]], a["amount"])
        for a in held["actions"]
        if a["approved"] and a["type"] in kinds
    )
    balances = held["balances"]
    status = OUR_STATUS[held["status"]]
    return status, balances["total_captured"], balances["total_refunded"], actions


def ours(db: Database) -> dict[str, tuple[str, int, int, frozenset[tuple[str, str, int]]]]:
    with db.read() as session:
        actions: dict[str, set[tuple[str, str, int]]] = {}
        for a in session.scalars(select(PaymentAction)):
            actions.setdefault(a.payment_id, set()).add((a.id, a.kind, a.amount_minor))
        return {
            p.id: (
                p.status,
                p.captured_minor,
                p.refunded_minor,
                frozenset(actions.get(p.id, ())),
            )
            for p in session.scalars(select(Payment))
        }


def disagreements(rig: Rig, held: dict[str, dict[str, Any]]) -> list[str]:
    mine = ours(rig.db)
    assert set(mine) == set(held)
    wrong = []
    for pid, h in sorted(held.items()):
        (*got, got_actions), (*want, want_actions) = mine[pid], truth(h)
        if (got, got_actions) != (want, want_actions):
            missing = sorted(kind for _, kind, _ in want_actions - got_actions)
            extra = sorted(kind for _, kind, _ in got_actions - want_actions)
            wrong.append(
                f"{pid}: ours {got}, Checkout.com {want}, missing {missing}, extra {extra}"
            )
    return wrong


def out_of_order(events: list[dict[str, Any]], deliveries: list[dict[str, Any]]) -> int:
    """Payments one of whose events arrived before an event published ahead of it."""
    published = {e["id"]: (e["data"]["id"], n) for n, e in enumerate(events)}
    last: dict[str, int] = {}
    shuffled: set[str] = set()
    for delivery in deliveries:
        payment_id, n = published[delivery["event_id"]]
        if n < last.get(payment_id, -1):
            shuffled.add(payment_id)
        last[payment_id] = max(n, last.get(payment_id, -1))
    return len(shuffled)


@pytest.mark.slow
def test_storm_of_duplicated_dropped_shuffled_events_ends_in_the_standins_truth_after_one_poll(
    rig: Rig,
) -> None:
    planned = plan()
    add_payments(rig.db, planned, now=rig.clock.now())

    # One at a time, so the stand-in publishes its events in the same order on every run.
    assert drain(rig, CheckoutPayments(rig.checkout, workers=1)).created == PAYMENTS
    rig.clock.advance(PENDING_S)
    held_at_checkout(rig)  # every payment decided, and captured, before refunds are asked for
    asked = add_refunds(rig.db, planned, now=rig.clock.now())
    assert drain(rig, CheckoutRefunds(rig.checkout, workers=1)).created == asked

    # The storm: every delivery held so far goes out now, once each, in shuffled order.
    flushed = rig.checkout_http.flush()
    records = rig.control.records("checkout")
    counts, events, deliveries = records["counts"], records["events"], records["deliveries"]
    dropped = set(records["dropped"])
    copies = Counter(d["event_id"] for d in deliveries if d.get("status_code") == 200)
    assert counts["payments"] == PAYMENTS
    assert counts["events"] == len(events) >= 2000
    assert len(dropped) >= 0.18 * len(events)
    assert (flushed["attempted"], flushed["failed"]) == (len(deliveries), 0)
    assert set(copies) == {e["id"] for e in events} - dropped
    assert sorted(Counter(copies.values())) == [1, 2, 3]
    assert counts["duplicates"] == len(deliveries) - len(copies) > 0.3 * len(copies)
    assert out_of_order(events, deliveries) > PAYMENTS / 2

    processed = process_events(rig.db, now=rig.clock.now())
    with rig.db.read() as session:
        stored = session.scalars(select(InboxEvent.event_id)).all()
    assert sorted(stored) == sorted(copies)
    assert (processed.processed, processed.deferred, processed.failed) == (len(copies), 0, 0)
    held = held_at_checkout(rig)
    assert len(disagreements(rig, held)) > PAYMENTS / 10, "the storm left nothing to mend"

    rig.clock.advance(rig.settings.checkout.poll_after_s)
    polled = poll_payments(
        rig.db, rig.checkout, now=rig.clock.now(), poll_after_s=rig.settings.checkout.poll_after_s
    )

    assert (polled.failed, polled.not_at_provider) == (0, 0)
    assert polled.changed > 0
    assert disagreements(rig, held) == []

    drain(rig, NetSuiteCustomers(rig.netsuite, subsidiary_id="1"))
    drain(rig, NetSuitePaymentActions(rig.netsuite, subsidiary_id="1"))

    # Each capture and refund Checkout.com made is one NetSuite record, under its external id.
    netsuite = rig.control.records("netsuite")["records"]
    actions = [action for h in held.values() for action in truth(h)[3]]
    approved = sum(1 for p in planned if not p.declined)
    for record_type, kind, field, made in (
        ("customerPayment", "capture", "payment", approved),
        ("customerRefund", "refund", "total", asked),
    ):
        expected = {f"CKO-{a}": amount / 100 for a, k, amount in actions if k == kind}
        recorded = [(r["externalId"], r[field]) for r in netsuite[record_type]]
        assert len(recorded) == len(expected) == made, record_type
        assert dict(recorded) == expected, record_type

    day = reconcile_day(rig.db, DAY, checkout=rig.checkout, netsuite=rig.netsuite)
    assert day.payments == PAYMENTS
    assert day.gaps == [], day.by_kind()
