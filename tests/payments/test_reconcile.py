"""Reconciliation of a Dubai day: each kind of gap found, with its size, and nothing else."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment
from ez_pipelines.payments.reconcile import (
    AMOUNT_DIFFERS,
    MISSING_IN_NETSUITE,
    STATUS_DIFFERS,
    UNKNOWN_AT_CHECKOUT,
    UNREADABLE,
    DayReconciliation,
    payment_days,
    reconcile_day,
)
from tests.payments.helpers import add_booking_payment
from tests.payments.reconcile_fakes import FakeCheckout, FakeNetSuite, captured_payment

# 14:00 in Dubai on 2 November.
NOON = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
DAY = date(2026, 11, 2)


def reconcile(db: Database, checkout: FakeCheckout, netsuite: FakeNetSuite) -> DayReconciliation:
    return reconcile_day(db, DAY, checkout=checkout, netsuite=netsuite)


def test_a_day_where_everyone_agrees_has_no_gap(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    captured_payment(sqlite_db, checkout, netsuite, "P-2", 30000, now=NOON)

    result = reconcile(sqlite_db, checkout, netsuite)

    assert (result.payments, result.captured_minor, result.gaps) == (2, 75000, [])


def test_a_capture_netsuite_never_recorded_is_missing_with_its_amount(
    sqlite_db: Database,
) -> None:
    # Three captures of 1,200.00 in all; NetSuite holds two, 800.00.
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 50000, now=NOON)
    captured_payment(sqlite_db, checkout, netsuite, "P-2", 30000, now=NOON)
    captured_payment(sqlite_db, checkout, None, "P-3", 40000, now=NOON)

    result = reconcile(sqlite_db, checkout, netsuite)

    assert result.captured_minor == 120000
    [gap] = result.gaps
    assert (gap.kind, gap.payment_id, gap.action_id) == (MISSING_IN_NETSUITE, "P-3", "act_p-3")
    assert gap.difference_minor == 40000
    assert "400.00" in gap.detail


def test_netsuite_holding_another_amount_is_a_difference_of_that_size(
    sqlite_db: Database,
) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    netsuite.records[("customerPayment", "eid:CKO-act_p-1")] = {"payment": 440.5}

    [gap] = reconcile(sqlite_db, checkout, netsuite).gaps

    assert (gap.kind, gap.difference_minor) == (AMOUNT_DIFFERS, 950)


def test_checkout_capturing_more_than_we_know_is_a_difference(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    with sqlite_db.write() as session:
        ours = session.get(Payment, "P-1")
        assert ours is not None
        ours.captured_minor = 40000

    [gap] = reconcile(sqlite_db, checkout, netsuite).gaps

    assert (gap.kind, gap.difference_minor) == (AMOUNT_DIFFERS, 5000)


def test_a_status_checkout_sees_otherwise_is_reported_with_both(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    theirs = checkout.payments["pay_p-1"]
    checkout.payments["pay_p-1"] = replace(theirs, status="Voided")

    [gap] = reconcile(sqlite_db, checkout, netsuite).gaps

    assert gap.kind == STATUS_DIFFERS
    assert gap.detail == "ours captured, theirs voided"


def test_a_payment_checkout_does_not_know_is_unknown_there(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    del checkout.payments["pay_p-1"]

    [gap] = reconcile(sqlite_db, checkout, netsuite).gaps

    assert (gap.kind, gap.payment_id) == (UNKNOWN_AT_CHECKOUT, "P-1")


def test_a_sent_payment_without_a_checkout_id_is_unknown_but_an_unsent_one_is_not(
    sqlite_db: Database,
) -> None:
    add_booking_payment(sqlite_db, "P-SENT", 45000, now=NOON)
    add_booking_payment(sqlite_db, "P-WAITING", 45000, now=NOON)
    with sqlite_db.write() as session:
        sent = session.get(Payment, "P-SENT")
        assert sent is not None
        sent.status = "authorized"

    result = reconcile(sqlite_db, FakeCheckout(), FakeNetSuite())

    assert [(g.kind, g.payment_id) for g in result.gaps] == [(UNKNOWN_AT_CHECKOUT, "P-SENT")]
    assert result.payments == 2


def test_a_vendor_that_cannot_be_read_is_a_gap_not_a_pass(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    checkout.unreadable.add("pay_p-1")

    [gap] = reconcile(sqlite_db, checkout, netsuite).gaps

    assert (gap.kind, gap.payment_id) == (UNREADABLE, "P-1")
    assert "HTTP 503" in gap.detail


def test_a_vendor_that_fails_once_is_asked_again_at_the_end(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 45000, now=NOON)
    checkout.failures_left["pay_p-1"] = 1

    assert reconcile(sqlite_db, checkout, netsuite).gaps == []
    assert checkout.failures_left["pay_p-1"] == 0


def test_payments_belong_to_the_dubai_day_they_were_made_on(sqlite_db: Database) -> None:
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    # 20:30Z on 2 November is 00:30 on 3 November in Dubai.
    late = datetime(2026, 11, 2, 20, 30, tzinfo=UTC)
    captured_payment(sqlite_db, checkout, netsuite, "P-DAY", 45000, now=NOON)
    captured_payment(sqlite_db, checkout, None, "P-NIGHT", 30000, now=late)

    first = reconcile(sqlite_db, checkout, netsuite)
    second = reconcile_day(sqlite_db, date(2026, 11, 3), checkout=checkout, netsuite=netsuite)

    assert payment_days(sqlite_db) == [DAY, date(2026, 11, 3)]
    assert (first.payments, first.gaps) == (1, [])
    assert [(g.kind, g.payment_id) for g in second.gaps] == [(MISSING_IN_NETSUITE, "P-NIGHT")]
