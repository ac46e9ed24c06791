"""Checkout.com delivers the capture of a payment before its approval.

Payment `pay_T1`, 150.00 AED: `payment_captured` (occurred 10:00:05Z) arrives before
`payment_approved` (occurred 10:00:01Z). The payment ends captured, both events are stored, and
one NetSuite payment sync is queued; any other delivery order ends the same.
"""

from __future__ import annotations

from itertools import permutations

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.payments.processing import process_events
from ez_pipelines.payments.state import CAPTURED
from tests.payments.events import balances, event_body
from tests.payments.helpers import add_booking_payment, deliver, payment, queued

PAY = {"payment_id": "pay_T1", "reference": "P-T1"}
APPROVED = event_body(
    "evt_W1_approved", "payment_approved", amount=15000, at_s=1, action_id="act_auth",
    balances=balances(authorized=15000), **PAY,
)  # fmt: skip
CAPTURED_EVENT = event_body(
    "evt_W1_captured", "payment_captured", amount=15000, at_s=5, action_id="act_cap",
    balances=balances(authorized=15000, captured=15000), **PAY,
)  # fmt: skip


def test_capture_before_approval_ends_captured_with_one_payment_sync(
    db: Database, clock: ManualClock
) -> None:
    add_booking_payment(db, "P-T1", 15000, now=clock.now())

    deliver(db, CAPTURED_EVENT, now=clock.now())
    process_events(db, now=clock.now())
    deliver(db, APPROVED, now=clock.now())
    process_events(db, now=clock.now())

    paid = payment(db, "P-T1")
    assert (paid.status, paid.captured_minor, paid.provider_payment_id) == (
        CAPTURED,
        15000,
        "pay_T1",
    )
    with db.read() as session:
        stored = session.execute(select(InboxEvent.event_id, InboxEvent.status)).all()
    assert sorted(stored) == [("evt_W1_approved", "processed"), ("evt_W1_captured", "processed")]
    assert queued(db, "netsuite", "payment_action") == ["act_cap"]


@pytest.mark.parametrize("order", list(permutations([APPROVED, CAPTURED_EVENT, APPROVED])))
def test_every_delivery_order_ends_in_the_same_state(
    sqlite_db: Database, clock: ManualClock, order: tuple[bytes, ...]
) -> None:
    add_booking_payment(sqlite_db, "P-T1", 15000, now=clock.now())

    for body in order:
        deliver(sqlite_db, body, now=clock.now())
        process_events(sqlite_db, now=clock.now())

    assert payment(sqlite_db, "P-T1").status == CAPTURED
    assert queued(sqlite_db, "netsuite", "payment_action") == ["act_cap"]


def test_an_event_for_a_payment_we_do_not_know_yet_waits_and_is_applied_later(
    sqlite_db: Database, clock: ManualClock
) -> None:
    deliver(sqlite_db, CAPTURED_EVENT, now=clock.now())
    early = process_events(sqlite_db, now=clock.now())

    add_booking_payment(sqlite_db, "P-T1", 15000, now=clock.now())
    later = process_events(sqlite_db, now=clock.now())

    assert (early.deferred, later.processed) == (1, 1)
    assert payment(sqlite_db, "P-T1").status == CAPTURED
