"""The polling fallback's rule: who is asked, when, and how soon a lost webhook is made up for."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.payments.polling import due_for_poll, poll_payments
from ez_pipelines.vendors.checkout.events import Balances
from tests.payments.events import T0
from tests.payments.helpers import payment
from tests.payments.reconcile_fakes import FakeCheckout, captured_payment

POLL_AFTER_S = 600.0
SCHEDULE = timedelta(minutes=15)


def pending_payment(db: Database, checkout: FakeCheckout, payment_id: str, at: datetime) -> str:
    """A payment Checkout.com has captured, while we, its webhooks lost, still think it pending."""
    captured_payment(db, checkout, None, payment_id, 45000, now=at)
    with db.write() as session:
        ours = session.get(Payment, payment_id)
        assert ours is not None
        ours.status, ours.authorized_minor, ours.captured_minor = "pending", 0, 0
        session.query(PaymentAction).filter_by(payment_id=payment_id).delete()
    return f"pay_{payment_id.lower()}"


def due(db: Database, now: datetime) -> list[str]:
    with db.read() as session:
        return [ours for ours, _ in due_for_poll(session, now=now, poll_after_s=POLL_AFTER_S)]


def test_a_payment_is_asked_about_once_quiet_for_ten_minutes_not_a_second_sooner(
    sqlite_db: Database,
) -> None:
    pending_payment(sqlite_db, FakeCheckout(), "P-1", T0)

    assert due(sqlite_db, T0 + timedelta(minutes=9, seconds=59)) == []
    assert due(sqlite_db, T0 + timedelta(minutes=10)) == ["P-1"]


def test_settled_payments_are_left_alone_and_asked_ones_wait_ten_minutes_more(
    sqlite_db: Database,
) -> None:
    checkout = FakeCheckout()
    captured_payment(sqlite_db, checkout, None, "P-DONE", 45000, now=T0)
    provider_id = pending_payment(sqlite_db, checkout, "P-1", T0)
    checkout.payments[provider_id] = replace(
        checkout.payments[provider_id], status="Pending", approved=False, balances=Balances()
    )
    checkout.actions[provider_id] = []
    first = T0 + timedelta(minutes=15)

    report = poll_payments(sqlite_db, checkout, now=first, poll_after_s=POLL_AFTER_S)

    assert report.polled == 1
    assert payment(sqlite_db, "P-1").status == "pending"
    assert due(sqlite_db, first + timedelta(minutes=9)) == []
    assert due(sqlite_db, first + timedelta(minutes=10)) == ["P-1"]


@pytest.mark.parametrize("quiet_from_minute", [0, 1, 4, 5, 6, 14])
def test_a_lost_webhook_is_made_up_for_within_25_minutes(
    sqlite_db: Database, quiet_from_minute: int
) -> None:
    checkout = FakeCheckout()
    went_quiet = T0 + timedelta(minutes=quiet_from_minute, seconds=30)
    pending_payment(sqlite_db, checkout, "P-1", went_quiet)

    # The schedule runs on the quarter hour whatever happens; T0 is one.
    tick = T0
    while payment(sqlite_db, "P-1").status != "captured":
        tick += SCHEDULE
        assert tick - went_quiet <= timedelta(minutes=25), "not recovered within 25 minutes"
        poll_payments(sqlite_db, checkout, now=tick, poll_after_s=POLL_AFTER_S)

    recovered = payment(sqlite_db, "P-1")
    assert recovered.captured_minor == 45000
