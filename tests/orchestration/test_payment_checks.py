"""The payment checks as Dagster evaluates them: reconciliation gaps fail with ERROR, payments
left pending warn. Checkout.com and NetSuite are in-memory fakes at the resource seam."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import dagster as dg

from ez_pipelines.assets.payments import (
    checkout_events,
    checkout_payment_polls,
    payments_reconciliation,
)
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.payments.reconcile import DUBAI
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.vendors.checkout.events import Balances
from tests.payments.events import event_body
from tests.payments.helpers import deliver
from tests.payments.reconcile_fakes import FakeCheckout, FakeNetSuite, captured_payment


class Holding:
    """A resource whose `client()` hands out the fake it holds."""

    def __init__(self, fake: Any, poll_after_s: float = 600.0) -> None:
        self.fake = fake
        self.poll_after_s = poll_after_s

    @contextmanager
    def client(self) -> Iterator[Any]:
        yield self.fake


def run(
    db: Database,
    asset: dg.AssetsDefinition,
    checkout: FakeCheckout,
    netsuite: FakeNetSuite,
    partition: str | None = None,
) -> dg.AssetCheckEvaluation:
    url = db.engine.url.render_as_string(hide_password=False)
    result = dg.materialize(
        [asset],
        resources={
            "database": DatabaseResource(url=url),
            "checkout": Holding(checkout),
            "netsuite": Holding(netsuite),
        },
        partition_key=partition,
        raise_on_error=False,
    )
    [evaluation] = result.get_asset_check_evaluations()
    return evaluation


def test_a_payment_missing_in_netsuite_fails_the_reconciliation_with_error(
    sqlite_db: Database,
) -> None:
    now = SYSTEM_CLOCK.now()
    today = now.astimezone(DUBAI).date()
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 50000, now=now)
    captured_payment(sqlite_db, checkout, netsuite, "P-2", 30000, now=now)
    captured_payment(sqlite_db, checkout, None, "P-3", 40000, now=now)

    evaluation = run(sqlite_db, payments_reconciliation, checkout, netsuite, today.isoformat())

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert (evaluation.description or "").startswith(f"1 gaps on {today}: 1 missing_in_netsuite")
    assert evaluation.metadata["gaps_by_kind"].value == {"missing_in_netsuite": 1}


def test_a_day_that_agrees_passes_the_reconciliation(sqlite_db: Database) -> None:
    now = SYSTEM_CLOCK.now()
    checkout, netsuite = FakeCheckout(), FakeNetSuite()
    captured_payment(sqlite_db, checkout, netsuite, "P-1", 50000, now=now)

    day = now.astimezone(DUBAI).date()
    evaluation = run(sqlite_db, payments_reconciliation, checkout, netsuite, day.isoformat())

    assert evaluation.passed


def test_a_payment_pending_for_twenty_minutes_warns_and_one_just_made_does_not(
    sqlite_db: Database,
) -> None:
    now = SYSTEM_CLOCK.now()
    checkout = FakeCheckout()
    captured_payment(sqlite_db, checkout, None, "P-OLD", 45000, now=now - timedelta(minutes=20))
    captured_payment(sqlite_db, checkout, None, "P-NEW", 45000, now=now - timedelta(minutes=2))
    with sqlite_db.write() as session:
        for payment in session.query(Payment):
            payment.status, payment.authorized_minor, payment.captured_minor = "pending", 0, 0
        session.query(PaymentAction).delete()
    for provider_id, details in checkout.payments.items():
        checkout.payments[provider_id] = replace(
            details, status="Pending", approved=False, balances=Balances()
        )
        checkout.actions[provider_id] = []

    evaluation = run(sqlite_db, checkout_payment_polls, checkout, FakeNetSuite())

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["payments"].value == ["P-OLD"]


def test_reconciliation_partitions_are_dubai_days() -> None:
    partitions = payments_reconciliation.partitions_def
    assert partitions is not None
    assert partitions.get_partition_keys()[0] == date(2026, 11, 1).isoformat()
    assert isinstance(partitions, dg.DailyPartitionsDefinition)
    assert partitions.timezone == "Asia/Dubai"


def test_events_for_unknown_payments_warn_once_they_outlast_the_resends(
    sqlite_db: Database,
) -> None:
    now = SYSTEM_CLOCK.now()
    stranger = event_body(
        "evt_S1",
        "payment_captured",
        payment_id="pay_s1",
        reference="P-NOT-OURS",
        amount=100,
        at_s=0,
    )
    odd = event_body(
        "evt_O1", "payment_disputed_oddly", payment_id="pay_s1", reference="P-X", amount=1, at_s=0
    )
    deliver(sqlite_db, stranger, now=now - timedelta(hours=40))
    deliver(sqlite_db, odd, now=now)

    evaluation = run(sqlite_db, checkout_events, FakeCheckout(), FakeNetSuite())

    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["waiting"].value == 1
    assert 40 <= evaluation.metadata["oldest_waited_h"].value < 41
