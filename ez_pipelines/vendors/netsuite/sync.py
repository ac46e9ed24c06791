"""Customers to NetSuite: the outbox projection, upserting each customer by our id."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.errors import Permanent, SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed
from ez_pipelines.vendors.netsuite import contract_v1
from ez_pipelines.vendors.netsuite.client import NetSuiteClient

log = logging.getLogger(__name__)


class NetSuiteCustomers:
    """Each customer becomes the NetSuite customer whose external id is our customer id."""

    system = "netsuite"
    entity = "customer"
    contract_version = contract_v1.CONTRACT_VERSION
    record_type = "customer"

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
        """Upsert every item, as many at once as the client's in-flight cap allows."""
        if not items:
            return {}
        workers = min(self.client.max_in_flight, len(items))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="netsuite-push") as pool:
            results = list(pool.map(self._push_one, items))
        return {item.record_id: result for item, result in zip(items, results, strict=True)}

    def _push_one(self, item: Outbound) -> Pushed | SyncError:
        try:
            internal_id = self.client.upsert(self.record_type, item.record_id, item.payload)
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
        return Pushed(internal_id, "created" if item.vendor_id is None else "updated")
