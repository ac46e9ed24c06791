"""Invoices, credit memos, revenue journals and applied payments reach NetSuite through the
outbox, in the shapes the REST record catalog gives for `invoice`, `creditMemo`,
`journalEntry` and `customerPayment`, each upserted by its external id."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ez_pipelines.canonical.bookings import add_charge, extend_booking
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Payment, PaymentAction
from ez_pipelines.clock import ManualClock
from ez_pipelines.finance.documents import InvoicingPolicy, issue_adjustment, refresh_documents
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.projection import Projection
from ez_pipelines.outbox.routes import enqueue_change
from ez_pipelines.outbox.tables import DONE, OutboxRow
from ez_pipelines.sandbox.netsuite.standin import NetSuiteStandIn
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync import NetSuiteCustomers, NetSuitePaymentActions
from ez_pipelines.vendors.netsuite.sync_finance import (
    NetSuiteCreditMemos,
    NetSuiteInvoices,
    NetSuiteRevenueJournals,
)
from tests.finance.helpers import NOW, add_booking, dubai
from tests.vendors.netsuite.support import fixture_json

POLICY = InvoicingPolicy()
REFS = FinanceRefs()


def sync(db: Database, projection: Projection, clock: ManualClock) -> None:
    Dispatcher(db, projection, clock=clock).dispatch_batch()


def held(netsuite: NetSuiteStandIn, record_type: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = netsuite.store.snapshot()[record_type]
    return records


def statuses(db: Database, entity: str) -> list[str]:
    with db.read() as session:
        return [r.status for r in session.query(OutboxRow).filter(OutboxRow.entity == entity)]


def invoiced_booking(db: Database, client: NetSuiteClient, clock: ManualClock) -> None:
    add_booking(db, "B-1", pickup_at=dubai(date(2026, 11, 3)), days=3, amount_minor=30_000)
    refresh_documents(db, POLICY, now=NOW)
    sync(db, NetSuiteCustomers(client, subsidiary_id="1"), clock)


def test_an_invoice_waits_for_its_customer_then_an_extension_updates_it_in_place(
    sqlite_db: Database, client: NetSuiteClient, clock: ManualClock, netsuite: NetSuiteStandIn
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(date(2026, 11, 3)), days=3, amount_minor=30_000)
    refresh_documents(sqlite_db, POLICY, now=NOW)
    invoices = NetSuiteInvoices(client, subsidiary_id="1", refs=REFS)
    sync(sqlite_db, invoices, clock)
    assert held(netsuite, "invoice") == []

    sync(sqlite_db, NetSuiteCustomers(client, subsidiary_id="1"), clock)
    clock.advance(3600)
    sync(sqlite_db, NetSuiteInvoices(client, subsidiary_id="1", refs=REFS), clock)
    with sqlite_db.write() as session:
        extend_booking(
            session, "B-1", extended_to=dubai(date(2026, 11, 8)), amount_minor=20_000, now=NOW
        )
        add_charge(
            session,
            charge_id="CH-1",
            booking_id="B-1",
            kind="toll",
            description="Salik: 2 crossings",
            amount_minor=800,
            incurred_at=NOW,
            now=NOW,
        )
    refresh_documents(sqlite_db, POLICY, now=NOW)
    sync(sqlite_db, NetSuiteInvoices(client, subsidiary_id="1", refs=REFS), clock)

    [invoice] = held(netsuite, "invoice")
    [customer] = held(netsuite, "customer")
    assert invoice["externalId"] == "INV-B-1"
    assert invoice["entity"] == {"id": customer["id"]}
    amounts = [line["amount"] for line in invoice["item"]["items"]]
    # Rental, extension and toll, then 5% VAT on each line, rounded on that line.
    assert amounts == [300.0, 200.0, 8.0, 15.0, 10.0, 0.4]
    assert [line["item"]["id"] for line in invoice["item"]["items"]] == ["101"] * 2 + ["102"] + [
        "103"
    ] * 3
    assert set(statuses(sqlite_db, "invoice")) == {DONE}
    puts = [r for r in netsuite.received if r.method == "PUT" and "/invoice/" in r.path]
    assert all(r.path.endswith("/record/v1/invoice/eid:INV-B-1") for r in puts)


def test_a_credit_memo_waits_for_its_invoice_and_is_created_from_it(
    sqlite_db: Database, client: NetSuiteClient, clock: ManualClock, netsuite: NetSuiteStandIn
) -> None:
    invoiced_booking(sqlite_db, client, clock)
    with sqlite_db.write() as session:
        issue_adjustment(
            session,
            note_id="ADJ-B-1",
            booking_id="B-1",
            amount_minor=5_000,
            description="Scratch found at pickup",
            policy=POLICY,
            now=NOW,
        )
    sync(sqlite_db, NetSuiteCreditMemos(client, subsidiary_id="1", refs=REFS), clock)
    assert held(netsuite, "creditMemo") == []

    sync(sqlite_db, NetSuiteInvoices(client, subsidiary_id="1", refs=REFS), clock)
    clock.advance(3600)
    sync(sqlite_db, NetSuiteCreditMemos(client, subsidiary_id="1", refs=REFS), clock)

    [memo] = held(netsuite, "creditMemo")
    [invoice] = held(netsuite, "invoice")
    assert memo["externalId"] == "ADJ-B-1"
    assert memo["createdFrom"] == {"id": invoice["id"]}
    assert [line["amount"] for line in memo["item"]["items"]] == [50.0, 2.5]


def test_a_revenue_journal_goes_as_the_catalog_describes_a_journal_entry(
    sqlite_db: Database, client: NetSuiteClient, clock: ManualClock, netsuite: NetSuiteStandIn
) -> None:
    catalog = fixture_json("netsuite_journalEntry_fields.json")
    add_booking(sqlite_db, "B-1", pickup_at=dubai(date(2026, 11, 3)), days=7, amount_minor=100_000)
    recognise_day(sqlite_db, date(2026, 11, 3), max_lines=500, now=NOW)

    sync(sqlite_db, NetSuiteRevenueJournals(client, subsidiary_id="1", refs=REFS), clock)

    [journal] = held(netsuite, "journalEntry")
    assert journal["externalId"] == "REVREC-AED-20261103-01"
    assert journal["tranDate"] == "2026-11-03"
    body_fields = set(catalog["body_fields"])
    assert set(journal) - {"id"} <= body_fields
    lines = journal["line"]["items"]
    assert all(set(line) <= set(catalog["line_element_fields"]) for line in lines)
    assert lines[0] == {"account": {"id": "2410"}, "debit": 142.85, "memo": "Booking B-1"}
    assert lines[1] == {"account": {"id": "4010"}, "credit": 142.85, "memo": "Booking B-1"}
    [put] = [r for r in netsuite.received if r.method == "PUT"]
    assert put.path.endswith("/record/v1/journalEntry/eid:REVREC-AED-20261103-01")
    sent = json.loads(put.body)
    assert sum(i.get("debit", 0) for i in sent["line"]["items"]) == sum(
        i.get("credit", 0) for i in sent["line"]["items"]
    )


def test_a_capture_is_applied_to_the_bookings_invoice(
    sqlite_db: Database, client: NetSuiteClient, clock: ManualClock, netsuite: NetSuiteStandIn
) -> None:
    catalog = fixture_json("netsuite_customerPayment_fields.json")
    invoiced_booking(sqlite_db, client, clock)
    when = clock.now()
    with sqlite_db.write() as session:
        session.add(
            Payment(
                id="P-B-1",
                booking_id="B-1",
                provider="checkout",
                status="captured",
                amount_minor=31_500,
                captured_minor=31_500,
                currency="AED",
                created_at=when,
                updated_at=when,
            )
        )
        session.flush()
        session.add(
            PaymentAction(
                id="act_1",
                payment_id="P-B-1",
                kind="capture",
                amount_minor=31_500,
                currency="AED",
                processed_at=when,
                recorded_at=when,
            )
        )
        enqueue_change(session, "payment_action", "act_1", when)
    sync(sqlite_db, NetSuitePaymentActions(client, subsidiary_id="1"), clock)
    assert held(netsuite, "customerPayment") == []

    sync(sqlite_db, NetSuiteInvoices(client, subsidiary_id="1", refs=REFS), clock)
    clock.advance(3600)
    sync(sqlite_db, NetSuitePaymentActions(client, subsidiary_id="1"), clock)

    [payment] = held(netsuite, "customerPayment")
    [invoice] = held(netsuite, "invoice")
    [applied] = payment["apply"]["items"]
    assert applied == {"doc": {"id": invoice["id"]}, "apply": True, "amount": 315.0}
    assert set(applied) <= set(catalog["apply_element_fields"])
