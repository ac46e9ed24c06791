"""Outbox projections of finance's records into NetSuite: invoices, credit memos, journals.

Each is upserted under a deterministic external id, so a retry after a lost answer, or a day
computed again, updates the record instead of adding one. A record that needs another first
(an invoice its customer, a credit memo its invoice) waits for it as a retryable error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Booking, ExternalRef, Invoice
from ez_pipelines.finance.journals import lines_from_json
from ez_pipelines.finance.tables import CreditNote, RevenueJournal
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed
from ez_pipelines.vendors.netsuite import contract_finance, contract_v1
from ez_pipelines.vendors.netsuite.client import NetSuiteClient, external_ref
from ez_pipelines.vendors.netsuite.contract_finance import FinanceRefs
from ez_pipelines.vendors.netsuite.sync import (
    CustomerNotInNetSuite,
    InvoiceNotInNetSuite,
    upsert_all,
)

WITHDRAWN = "withdrawn"
"""Marks the payload of a journal to delete: it has no lines left to post."""


def netsuite_ids(session: Session, record_type: str, record_ids: set[str]) -> dict[str, str]:
    """NetSuite's internal ids of our records of one type, for those it holds."""
    if not record_ids:
        return {}
    rows = session.execute(
        select(ExternalRef.record_id, ExternalRef.vendor_id).where(
            ExternalRef.system == "netsuite",
            ExternalRef.record_type == record_type,
            ExternalRef.record_id.in_(record_ids),
        )
    )
    return {record_id: vendor_id for record_id, vendor_id in rows}


def _push_when_ready(
    client: NetSuiteClient,
    items: Sequence[Outbound],
    record_type: str,
    waiting: Mapping[str, SyncError],
) -> dict[str, Pushed | SyncError]:
    ready = [item for item in items if item.record_id not in waiting]
    results: dict[str, Pushed | SyncError] = {
        item.record_id: waiting[item.record_id] for item in items if item.record_id in waiting
    }
    results.update(
        upsert_all(client, ready, lambda item: (record_type, str(item.payload["externalId"])))
    )
    return results


class _FinanceProjection:
    system = "netsuite"
    contract_version = contract_v1.CONTRACT_VERSION

    def __init__(self, client: NetSuiteClient, *, subsidiary_id: str, refs: FinanceRefs) -> None:
        self.client = client
        self.subsidiary_id = subsidiary_id
        self.refs = refs
        self._waiting: dict[str, SyncError] = {}


class NetSuiteInvoices(_FinanceProjection):
    """Each booking's invoice, upserted by its number; it waits for the customer."""

    entity = "invoice"

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        invoices = list(session.scalars(select(Invoice).where(Invoice.id.in_(record_ids))))
        customers = dict(
            session.execute(
                select(Booking.id, Booking.customer_id).where(
                    Booking.id.in_([i.booking_id for i in invoices])
                )
            ).all()
        )
        held = netsuite_ids(session, "customer", set(customers.values()))
        payloads: dict[str, Payload] = {}
        for invoice in invoices:
            customer_ns = held.get(customers[invoice.booking_id], "")
            if not customer_ns:
                self._waiting[invoice.id] = CustomerNotInNetSuite(
                    f"netsuite invoice {invoice.number}: its customer is not in NetSuite yet"
                )
            payload = contract_finance.invoice_payload(
                invoice,
                customer_internal_id=customer_ns,
                subsidiary_id=self.subsidiary_id,
                refs=self.refs,
            )
            payloads[invoice.id] = {
                **payload,
                "externalId": contract_finance.invoice_external_id(invoice),
            }
        return payloads

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        return _push_when_ready(self.client, items, "invoice", self._waiting)


class NetSuiteCreditMemos(_FinanceProjection):
    """Each credit note as a credit memo created from its invoice; it waits for the invoice."""

    entity = "credit_note"

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        notes = list(session.scalars(select(CreditNote).where(CreditNote.id.in_(record_ids))))
        customers = dict(
            session.execute(
                select(Booking.id, Booking.customer_id).where(
                    Booking.id.in_([n.booking_id for n in notes])
                )
            ).all()
        )
        held_customers = netsuite_ids(session, "customer", set(customers.values()))
        held_invoices = netsuite_ids(session, "invoice", {n.invoice_id for n in notes})
        payloads: dict[str, Payload] = {}
        for note in notes:
            invoice_ns = held_invoices.get(note.invoice_id, "")
            if not invoice_ns:
                self._waiting[note.id] = InvoiceNotInNetSuite(
                    f"netsuite credit memo {note.id}: its invoice is not in NetSuite yet"
                )
            payload = contract_finance.credit_memo_payload(
                note,
                customer_internal_id=held_customers.get(customers[note.booking_id], ""),
                invoice_internal_id=invoice_ns,
                subsidiary_id=self.subsidiary_id,
                refs=self.refs,
            )
            payloads[note.id] = {
                **payload,
                "externalId": contract_finance.credit_memo_external_id(note.id),
            }
        return payloads

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        return _push_when_ready(self.client, items, "creditMemo", self._waiting)


class NetSuiteRevenueJournals(_FinanceProjection):
    """Each day's revenue journal, upserted by its `REVREC-...` external id; a journal its day
    no longer needs is deleted by the same id."""

    entity = "revenue_journal"

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        journals = session.scalars(select(RevenueJournal).where(RevenueJournal.id.in_(record_ids)))
        return {
            journal.id: (
                {
                    **contract_finance.journal_payload(
                        journal.day,
                        journal.currency,
                        lines_from_json(journal.lines),
                        subsidiary_id=self.subsidiary_id,
                        refs=self.refs,
                    ),
                    "externalId": journal.id,
                }
                if journal.status == "posted"
                else {"externalId": journal.id, WITHDRAWN: True}
            )
            for journal in journals
        }

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        withdrawn = [item for item in items if item.payload.get(WITHDRAWN)]
        results = _push_when_ready(
            self.client, [item for item in items if item not in withdrawn], "journalEntry", {}
        )
        for item in withdrawn:
            results[item.record_id] = self._delete(item)
        return results

    def _delete(self, item: Outbound) -> Pushed | SyncError:
        try:
            self.client.delete("journalEntry", external_ref(item.record_id))
        except SyncError as err:
            return err
        return Pushed(item.vendor_id or "", "updated", vendor_key=item.record_id, released=True)


FinanceProjection = NetSuiteInvoices | NetSuiteCreditMemos | NetSuiteRevenueJournals
FINANCE_PROJECTIONS: dict[str, type[FinanceProjection]] = {
    "invoice": NetSuiteInvoices,
    "credit_note": NetSuiteCreditMemos,
    "revenue_journal": NetSuiteRevenueJournals,
}
