"""The invoice half of W1: whatever order Checkout.com's events arrive in, the booking's invoice
is marked paid once, and NetSuite's customer payment is applied to it.

Booking B-T1 is invoiced 142.86 AED plus 7.14 VAT: 150.00, what payment `pay_T1` captures.
"""

from __future__ import annotations

from datetime import datetime
from itertools import permutations
from typing import Any

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.bookings import BookingInput, upsert_booking
from ez_pipelines.canonical.customers import CustomerInput, upsert_customer
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Invoice
from ez_pipelines.canonical.payments import PaymentInput, request_payment
from ez_pipelines.clock import ManualClock
from ez_pipelines.finance.documents import InvoicingPolicy, refresh_documents
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.payments.processing import process_events
from ez_pipelines.payments.state import CAPTURED
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers, NetSuitePaymentActions
from ez_pipelines.vendors.netsuite.sync_finance import NetSuiteInvoices
from tests.cases.test_w1_capture_before_approval import APPROVED, CAPTURED_EVENT
from tests.payments.events import T0
from tests.payments.helpers import deliver, payment, queued
from tests.vendors.netsuite.support import TIMEOUT, settings_for, standin_of

POLICY = InvoicingPolicy()


def book_and_ask_for_payment(db: Database, *, now: datetime) -> None:
    with db.write() as session:
        upsert_customer(session, CustomerInput("C-T1", "Layla", "Haddad"), now=now)
        upsert_booking(
            session,
            BookingInput(
                id="B-T1",
                customer_id="C-T1",
                vehicle_id=None,
                pickup_at=T0,
                return_due_at=T0.replace(day=T0.day + 1),
                rental_amount_minor=14_286,
                currency="AED",
            ),
            now=now,
        )
        request_payment(session, PaymentInput("P-T1", "B-T1", 15_000, "AED", "src_ok"), now=now)


def invoice_status(db: Database) -> str:
    with db.read() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.booking_id == "B-T1")).one()
        return invoice.status


@pytest.mark.parametrize(
    "order", sorted(set(permutations([APPROVED, CAPTURED_EVENT, APPROVED, CAPTURED_EVENT])))
)
def test_every_delivery_order_marks_the_invoice_paid_once(
    sqlite_db: Database, clock: ManualClock, order: tuple[bytes, ...]
) -> None:
    book_and_ask_for_payment(sqlite_db, now=clock.now())
    documents = refresh_documents(sqlite_db, POLICY, now=clock.now())

    paid = 0
    for body in order:
        deliver(sqlite_db, body, now=clock.now())
        paid += process_events(sqlite_db, now=clock.now()).invoices_paid

    assert documents.invoices_created == 1 and documents.invoices_paid == 0
    assert payment(sqlite_db, "P-T1").status == CAPTURED
    with sqlite_db.read() as session:
        stored = sorted(session.scalars(select(InboxEvent.event_id)))
    assert stored == ["evt_W1_approved", "evt_W1_captured"]
    assert (paid, invoice_status(sqlite_db)) == (1, "paid")
    assert queued(sqlite_db, "netsuite", "payment_action") == ["act_cap"]
    assert refresh_documents(sqlite_db, POLICY, now=clock.now()).invoices_paid == 0


def test_a_payment_too_small_for_the_invoice_leaves_it_issued(
    sqlite_db: Database, clock: ManualClock
) -> None:
    # At 6% VAT the invoice comes to 151.43: 150.00 does not cover it.
    book_and_ask_for_payment(sqlite_db, now=clock.now())
    refresh_documents(sqlite_db, InvoicingPolicy(vat_rate_bp=600), now=clock.now())

    for body in (CAPTURED_EVENT, APPROVED):
        deliver(sqlite_db, body, now=clock.now())
    report = process_events(sqlite_db, now=clock.now())

    assert (report.invoices_paid, invoice_status(sqlite_db)) == (0, "issued")


def test_a_capture_before_its_invoice_is_applied_when_the_invoice_arrives(
    sqlite_db: Database, clock: ManualClock, sandbox: BackgroundServer
) -> None:
    book_and_ask_for_payment(sqlite_db, now=clock.now())
    for body in (CAPTURED_EVENT, APPROVED):
        deliver(sqlite_db, body, now=clock.now())
    early = process_events(sqlite_db, now=clock.now())
    netsuite = standin_of(sandbox)

    with NetSuiteClient(settings_for(sandbox), timeout=TIMEOUT) as client:

        def sync(projection: Any) -> None:
            Dispatcher(sqlite_db, projection, clock=clock).dispatch_batch()
            clock.advance(3600)

        sync(NetSuiteCustomers(client, subsidiary_id="1"))
        sync(NetSuitePaymentActions(client, subsidiary_id="1"))
        unapplied = netsuite.store.snapshot()["customerPayment"]

        late = refresh_documents(sqlite_db, POLICY, now=clock.now())
        sync(NetSuiteInvoices(client, subsidiary_id="1", refs=FinanceRefs()))
        sync(NetSuitePaymentActions(client, subsidiary_id="1"))

    assert early.invoices_paid == 0
    assert [p.get("apply") for p in unapplied] == [None]
    assert (late.invoices_created, late.invoices_paid) == (1, 1)
    assert invoice_status(sqlite_db) == "paid"
    [held] = netsuite.store.snapshot()["customerPayment"]
    [invoice] = netsuite.store.snapshot()["invoice"]
    assert held["apply"]["items"] == [
        {"doc": {"id": invoice["id"]}, "apply": True, "amount": 150.0}
    ]
