"""Checkout.com and NetSuite as reconciliation reads them, held in memory, and payments set up
in the store as webhooks would have left them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.outbox.errors import Unavailable
from ez_pipelines.vendors.checkout.errors import PaymentNotFound
from ez_pipelines.vendors.checkout.events import Balances
from ez_pipelines.vendors.checkout.models import PaymentActionDetails, PaymentDetails
from ez_pipelines.vendors.netsuite.contract_v1 import action_external_id
from tests.payments.helpers import add_booking_payment


@dataclass
class FakeCheckout:
    payments: dict[str, PaymentDetails] = field(default_factory=dict)
    actions: dict[str, list[PaymentActionDetails]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)
    failures_left: dict[str, int] = field(default_factory=dict)
    """Reads of a payment that fail before it can be read."""

    def get_payment(self, payment_id: str) -> PaymentDetails:
        if self.failures_left.get(payment_id, 0) > 0:
            self.failures_left[payment_id] -= 1
            raise Unavailable(f"checkout GET /payments/{payment_id}: HTTP 502")
        if payment_id in self.unreadable:
            raise Unavailable(f"checkout GET /payments/{payment_id}: HTTP 503")
        if payment_id not in self.payments:
            raise PaymentNotFound(f"checkout has no payment {payment_id}")
        return self.payments[payment_id]

    def get_actions(self, payment_id: str) -> list[PaymentActionDetails]:
        return self.actions.get(payment_id, [])


@dataclass
class FakeNetSuite:
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def get(self, record_type: str, ref: str) -> dict[str, Any] | None:
        return self.records.get((record_type, ref))


def captured_payment(
    db: Database,
    checkout: FakeCheckout,
    netsuite: FakeNetSuite | None,
    payment_id: str,
    amount_minor: int,
    *,
    now: datetime,
) -> None:
    """A payment captured in full, as we, Checkout.com and (unless None) NetSuite know it."""
    provider_id, action_id = f"pay_{payment_id.lower()}", f"act_{payment_id.lower()}"
    add_booking_payment(db, payment_id, amount_minor, now=now)
    with db.write() as session:
        payment = session.get(Payment, payment_id)
        assert payment is not None
        payment.status, payment.provider_payment_id = "captured", provider_id
        payment.authorized_minor = payment.captured_minor = amount_minor
        session.add(
            PaymentAction(
                id=action_id,
                payment_id=payment_id,
                kind="capture",
                amount_minor=amount_minor,
                currency="AED",
                processed_at=now,
                recorded_at=now,
            )
        )
    checkout.payments[provider_id] = PaymentDetails(
        id=provider_id,
        status="Captured",
        approved=True,
        amount=amount_minor,
        currency="AED",
        balances=Balances(total_authorized=amount_minor, total_captured=amount_minor),
        reference=payment_id,
    )
    checkout.actions[provider_id] = [
        PaymentActionDetails(action_id, "Capture", amount_minor, True, now)
    ]
    if netsuite is not None:
        ref = f"eid:{action_external_id(action_id)}"
        netsuite.records[("customerPayment", ref)] = {"payment": amount_minor / 100}
