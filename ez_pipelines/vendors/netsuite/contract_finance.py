"""Contract v1, finance records: invoices, credit memos and revenue journals. No I/O.

Record and field names follow the REST API Browser's `invoice`, `creditMemo` and `journalEntry`
(a journal's `line` sublist holds `account`, `debit`, `credit` and `memo`). Amounts travel as
JSON numbers in major units (`money_amount`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ez_pipelines.canonical.models import Invoice, InvoiceLine
from ez_pipelines.finance.journals import DEFERRED, REVENUE, JournalLine
from ez_pipelines.finance.rental_days import dubai_date
from ez_pipelines.finance.tables import CreditNote
from ez_pipelines.vendors.netsuite.contract_v1 import money_amount


@dataclass(frozen=True)
class FinanceRefs:
    """NetSuite internal ids of the accounts and items our finance records post to."""

    deferred_revenue_account: str = "2410"
    rental_revenue_account: str = "4010"
    rental_item: str = "101"
    charge_item: str = "102"
    vat_item: str = "103"

    def item_for(self, kind: str) -> str:
        if kind in ("rental", "extension"):
            return self.rental_item
        return self.vat_item if kind == "vat" else self.charge_item

    def account_for(self, role: str) -> str:
        return {DEFERRED: self.deferred_revenue_account, REVENUE: self.rental_revenue_account}[role]


def invoice_external_id(invoice: Invoice) -> str:
    return invoice.number


def credit_memo_external_id(note_id: str) -> str:
    return note_id


def _item_line(line: InvoiceLine, currency: str, refs: FinanceRefs) -> dict[str, Any]:
    return {
        "item": {"id": refs.item_for(line.kind)},
        "description": line.description,
        "quantity": line.quantity,
        "rate": money_amount(line.unit_amount_minor, currency),
        "amount": money_amount(line.amount_minor, currency),
    }


def invoice_payload(
    invoice: Invoice,
    *,
    customer_internal_id: str,
    subsidiary_id: str,
    refs: FinanceRefs,
) -> dict[str, Any]:
    """The invoice of one booking. Its lines go as a whole: an upsert replaces the sublist."""
    # TODO(a NetSuite sandbox account to confirm it): NetSuite may merge sublist lines on an
    # update unless asked to replace them (`replace=item`); the stand-in replaces them.
    issued = invoice.issued_at or invoice.updated_at
    return {
        "entity": {"id": customer_internal_id},
        "subsidiary": {"id": subsidiary_id},
        "tranId": invoice.number,
        "tranDate": dubai_date(issued).isoformat(),
        "memo": f"Booking {invoice.booking_id}",
        "item": {"items": [_item_line(line, invoice.currency, refs) for line in invoice.lines]},
    }


def credit_memo_payload(
    note: CreditNote,
    *,
    customer_internal_id: str,
    invoice_internal_id: str,
    subsidiary_id: str,
    refs: FinanceRefs,
) -> dict[str, Any]:
    """A credit note against the invoice it came from: the value given back, then its VAT."""
    items = [
        {
            # Credit notes give back rental value (a cancellation credits the whole invoice).
            "item": {"id": refs.rental_item},
            "description": note.description,
            "quantity": 1,
            "rate": money_amount(note.amount_minor, note.currency),
            "amount": money_amount(note.amount_minor, note.currency),
        }
    ]
    if note.vat_minor:
        items.append(
            {
                "item": {"id": refs.vat_item},
                "description": f"VAT on {note.description}"[:200],
                "quantity": 1,
                "rate": money_amount(note.vat_minor, note.currency),
                "amount": money_amount(note.vat_minor, note.currency),
            }
        )
    return {
        "entity": {"id": customer_internal_id},
        "subsidiary": {"id": subsidiary_id},
        "createdFrom": {"id": invoice_internal_id},
        "tranDate": dubai_date(note.issued_at).isoformat(),
        "memo": f"{note.kind.capitalize()} on booking {note.booking_id}",
        "item": {"items": items},
    }


def journal_payload(
    day: date,
    currency: str,
    lines: Sequence[JournalLine],
    *,
    subsidiary_id: str,
    refs: FinanceRefs,
) -> dict[str, Any]:
    """A day's revenue journal; `tranDate` is the Dubai day it recognises."""
    items = []
    for line in lines:
        item: dict[str, Any] = {
            "account": {"id": refs.account_for(line.account)},
            "memo": f"Booking {line.booking_id}",
        }
        if line.debit_minor:
            item["debit"] = money_amount(line.debit_minor, currency)
        else:
            item["credit"] = money_amount(line.credit_minor, currency)
        items.append(item)
    return {
        "subsidiary": {"id": subsidiary_id},
        "tranDate": day.isoformat(),
        "memo": f"Rental revenue recognised on {day.isoformat()} ({currency})",
        "line": {"items": items},
    }
