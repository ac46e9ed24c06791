"""Outbox projections into NetSuite: customers, and the captures and refunds of payments.

Every record is upserted by external id (`PUT .../eid:<id>`), so a retry after a lost answer
updates the record it already made. Requests run concurrently up to the client's in-flight cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import (
    Booking,
    Customer,
    ExternalRef,
    Invoice,
    Payment,
    PaymentAction,
)
from ez_pipelines.outbox.errors import Permanent, Retryable, SyncError
from ez_pipelines.outbox.projection import Outbound, Outcome, Payload, Pushed
from ez_pipelines.vendors.netsuite import contract_v1
from ez_pipelines.vendors.netsuite.client import NetSuiteClient

log = logging.getLogger(__name__)

Target = Callable[[Outbound], tuple[str, str]]
"""The record type and external id an item is upserted as."""


class CustomerNotInNetSuite(Retryable):
    """A transaction for a customer NetSuite does not hold yet: it waits for the customer."""


class InvoiceNotInNetSuite(Retryable):
    """A credit memo or payment for an invoice NetSuite does not hold yet: it waits for it."""


def upsert_all(
    client: NetSuiteClient, items: Sequence[Outbound], target: Target
) -> dict[str, Pushed | SyncError]:
    """Upsert every item, as many at once as the client's in-flight cap allows."""
    if not items:
        return {}

    def push_one(item: Outbound) -> Pushed | SyncError:
        record_type, external_id = target(item)
        try:
            internal_id = client.upsert(record_type, external_id, item.payload)
        except SyncError as err:
            return err
        except Exception as err:
            # A bug of ours must not take the rest of the batch with it; the row keeps the
            # exception's type for a person, and the traceback goes to the log.
            log.exception(
                "unexpected %s pushing system=netsuite record=%s",
                type(err).__name__,
                item.record_id,
            )
            return Permanent(f"netsuite upsert {item.record_id}: unexpected {type(err).__name__}")
        outcome: Outcome = "created" if item.vendor_id is None else "updated"
        return Pushed(internal_id, outcome, vendor_key=external_id)

    workers = min(client.max_in_flight, len(items))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netsuite-push") as pool:
        results = list(pool.map(push_one, items))
    return {item.record_id: result for item, result in zip(items, results, strict=True)}


class NetSuiteCustomers:
    """Each customer becomes the NetSuite customer whose external id is our customer id."""

    system = "netsuite"
    entity = "customer"
    contract_version = contract_v1.CONTRACT_VERSION

    def __init__(self, client: NetSuiteClient, *, subsidiary_id: str) -> None:
        self.client = client
        self.subsidiary_id = subsidiary_id

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        customers = session.scalars(select(Customer).where(Customer.id.in_(record_ids)))
        return {
            customer.id: contract_v1.customer_payload(customer, subsidiary_id=self.subsidiary_id)
            for customer in customers
        }

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        return upsert_all(self.client, items, lambda item: ("customer", item.record_id))


class NetSuitePaymentActions:
    """Each capture becomes a `customerPayment`, each refund a `customerRefund`, keyed by the
    provider's action id, so the same money is never recorded twice."""

    system = "netsuite"
    entity = "payment_action"
    contract_version = contract_v1.CONTRACT_VERSION

    def __init__(self, client: NetSuiteClient, *, subsidiary_id: str) -> None:
        self.client = client
        self.subsidiary_id = subsidiary_id
        self._awaiting_invoice: set[str] = set()

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        rows = session.execute(
            select(PaymentAction, Booking.id, Booking.customer_id, ExternalRef.vendor_id)
            .join(Payment, Payment.id == PaymentAction.payment_id)
            .outerjoin(Booking, Booking.id == Payment.booking_id)
            .outerjoin(
                ExternalRef,
                (ExternalRef.record_type == "customer")
                & (ExternalRef.record_id == Booking.customer_id)
                & (ExternalRef.system == "netsuite"),
            )
            .where(PaymentAction.id.in_(record_ids))
        ).all()
        invoices = _invoices_of(session, {booking_id for _, booking_id, _, _ in rows if booking_id})
        payloads: dict[str, Payload] = {}
        for action, booking_id, _customer_id, customer_ns_id in rows:
            invoice_ns_id = invoices.get(booking_id or "")
            if invoice_ns_id == "" and action.kind == "capture":
                # The booking is invoiced but NetSuite does not hold the invoice yet: the
                # payment waits for it, so it can be applied to it.
                self._awaiting_invoice.add(action.id)
            payloads[action.id] = contract_v1.payment_action_payload(
                action,
                booking_id=booking_id,
                customer_internal_id=customer_ns_id or "",
                subsidiary_id=self.subsidiary_id,
                invoice_internal_id=invoice_ns_id or None,
            )
        return payloads

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        ready: list[Outbound] = []
        waiting: dict[str, SyncError] = {}
        for item in items:
            if item.record_id in self._awaiting_invoice:
                waiting[item.record_id] = InvoiceNotInNetSuite(
                    f"netsuite {item.record_id}: the invoice it pays is not in NetSuite yet"
                )
            elif item.payload["customer"]["id"]:
                ready.append(item)
            else:
                waiting[item.record_id] = CustomerNotInNetSuite(
                    f"netsuite {item.record_id}: its customer is not in NetSuite yet"
                )
        results: dict[str, Pushed | SyncError] = dict(waiting)
        results.update(upsert_all(self.client, ready, _action_target))
        return results


def _invoices_of(session: Session, booking_ids: set[str]) -> dict[str, str]:
    """For each invoiced booking, NetSuite's id of its invoice, or "" while NetSuite lacks it."""
    if not booking_ids:
        return {}
    rows = session.execute(
        select(Invoice.booking_id, ExternalRef.vendor_id)
        .outerjoin(
            ExternalRef,
            (ExternalRef.record_type == "invoice")
            & (ExternalRef.record_id == Invoice.id)
            & (ExternalRef.system == "netsuite"),
        )
        .where(Invoice.booking_id.in_(booking_ids))
    )
    return {booking_id: vendor_id or "" for booking_id, vendor_id in rows}


def _action_target(item: Outbound) -> tuple[str, str]:
    kind = "capture" if "payment" in item.payload else "refund"
    return contract_v1.record_type_of(kind), contract_v1.action_external_id(item.record_id)
