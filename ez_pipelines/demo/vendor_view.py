"""What the stand-ins hold, read through their inspection endpoints, set against our records.

Counts alone can agree while the data does not, so each customer is also read back from the
vendor and compared field by field through the adapter's own contract.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer, ExternalRef, Payment, PaymentAction
from ez_pipelines.canonical.stats import distinct_contact_identities
from ez_pipelines.payments.reconcile import CHECKOUT_STATUSES
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.vendors.hubspot.contract_v1 import contact_key
from ez_pipelines.vendors.netsuite.contract_v1 import (
    action_external_id,
    customer_from_record,
    money_amount,
    record_type_of,
)

_SAMPLE = 5


@dataclass(frozen=True)
class VendorView:
    system: str
    canonical: int
    """How many records the vendor should hold for our data."""
    vendor_records: int
    duplicates: int
    unmapped: int
    """Our records without a vendor id, or whose vendor id the vendor does not hold."""
    mismatched: int
    """Our records the vendor holds with other values than ours."""
    examples: tuple[str, ...] = ()


def _extra(keys: Iterable[str | None]) -> int:
    """Records beyond the first for each key; a record without a key counts as extra."""
    counts = Counter(keys)
    missing = counts.pop(None, 0)
    return missing + sum(n - 1 for n in counts.values())


def _customers_with_refs(db: Database, system: str) -> list[tuple[Customer, str | None]]:
    with db.read() as session:
        rows = session.execute(
            select(Customer, ExternalRef.vendor_id)
            .outerjoin(
                ExternalRef,
                (ExternalRef.record_id == Customer.id)
                & (ExternalRef.record_type == "customer")
                & (ExternalRef.system == system),
            )
            .order_by(Customer.id)
        ).all()
    return [(customer, vendor_id) for customer, vendor_id in rows]


def netsuite_view(db: Database, sandbox: SandboxClient) -> VendorView:
    """Customers, and each capture and refund, against NetSuite's records of them."""
    held: dict[str, list[dict[str, Any]]] = sandbox.records("netsuite")["records"]
    customers = held.get("customer", [])
    by_id = {str(r["id"]): r for r in customers}
    unmapped, mismatched = 0, []
    ours = _customers_with_refs(db, "netsuite")
    for customer, vendor_id in ours:
        record = by_id.get(vendor_id or "")
        if record is None:
            unmapped += 1
            continue
        theirs = customer_from_record(record)
        mine = {
            "id": customer.id,
            "given_name": customer.given_name,
            "family_name": customer.family_name,
            "email": customer.email,
            "phone": customer.phone,
        }
        if theirs != mine:
            mismatched.append(customer.id)

    with db.read() as session:
        actions = list(session.scalars(select(PaymentAction).order_by(PaymentAction.id)))
    transactions = {
        str(r.get("externalId")): r
        for kind in ("capture", "refund")
        for r in held.get(record_type_of(kind), [])
    }
    for action in actions:
        record = transactions.get(action_external_id(action.id))
        if record is None:
            unmapped += 1
            continue
        recorded = record.get("payment" if action.kind == "capture" else "total")
        if recorded != money_amount(action.amount_minor, action.currency):
            mismatched.append(action.id)

    kinds = ("customer", "customerPayment", "customerRefund")
    vendor_records = sum(len(held.get(kind, [])) for kind in kinds)
    return VendorView(
        system="netsuite",
        canonical=len(ours) + len(actions),
        vendor_records=vendor_records,
        duplicates=sum(_extra(r.get("externalId") for r in held.get(kind, [])) for kind in kinds),
        unmapped=unmapped,
        mismatched=len(mismatched),
        examples=tuple(mismatched[:_SAMPLE]),
    )


def checkout_view(db: Database, sandbox: SandboxClient) -> VendorView:
    """Our payments against Checkout.com's: each once, in the same status and amount."""
    truth = {p["id"]: p for p in sandbox.records("checkout")["payments"]}
    with db.read() as session:
        rows = session.execute(
            select(Payment, ExternalRef.vendor_id).outerjoin(
                ExternalRef,
                (ExternalRef.record_type == "payment")
                & (ExternalRef.record_id == Payment.id)
                & (ExternalRef.system == "checkout"),
            )
        ).all()
    unmapped, mismatched = 0, []
    for payment, ref in rows:
        theirs = truth.get(payment.provider_payment_id or ref or "")
        if theirs is None:
            unmapped += 1
            continue
        status = CHECKOUT_STATUSES.get(theirs["status"], theirs["status"])
        captured = theirs["balances"]["total_captured"]
        if (status, captured) != (payment.status, payment.captured_minor):
            mismatched.append(payment.id)
    return VendorView(
        system="checkout",
        canonical=len(rows),
        vendor_records=len(truth),
        duplicates=_extra(p.get("reference") for p in truth.values()),
        unmapped=unmapped,
        mismatched=len(mismatched),
        examples=tuple(mismatched[:_SAMPLE]),
    )


def hubspot_view(db: Database, sandbox: SandboxClient, *, key_property: str) -> VendorView:
    """A customer matches when its contact carries its key and its email (the names of a contact
    shared by several customers are the last writer's, so they are compared only when the
    customer is alone on the contact)."""
    customers = _customers_with_refs(db, "hubspot")
    customer_keys = {contact_key(customer) for customer, _ in customers}
    # A lead's own contact is the leads' verdict, not the customers'.
    held = [
        c
        for c in sandbox.records("hubspot")["contacts"]
        if not c.get("archived")
        and (
            not c["properties"].get("ez_lead_id")
            or c["properties"].get(key_property) in customer_keys
        )
    ]
    by_id = {str(c["id"]): c["properties"] for c in held}
    members = Counter(vendor_id for _, vendor_id in customers if vendor_id)
    unmapped, mismatched = 0, []
    for customer, vendor_id in customers:
        properties = by_id.get(vendor_id or "")
        if properties is None:
            unmapped += 1
            continue
        same = properties.get(key_property) == contact_key(customer) and (
            (properties.get("email") or "").strip().casefold() == (customer.email_key or "")
        )
        if same and members[vendor_id or ""] == 1:
            same = (properties.get("firstname") or "") == customer.given_name and (
                properties.get("phone") or ""
            ) == (customer.phone or "")
        if not same:
            mismatched.append(customer.id)
    emails = [(c["properties"].get("email") or "").strip().casefold() or None for c in held]
    keys = [c["properties"].get(key_property) or None for c in held]
    return VendorView(
        system="hubspot",
        canonical=distinct_contact_identities(db),
        vendor_records=len(held),
        duplicates=_extra(e for e in emails if e is not None) + _extra(k for k in keys if k),
        unmapped=unmapped,
        mismatched=len(mismatched),
        examples=tuple(mismatched[:_SAMPLE]),
    )
