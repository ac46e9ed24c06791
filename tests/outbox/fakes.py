"""A projection whose vendor is a dict, for testing the outbox without HTTP."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed


@dataclass
class DictVendor:
    """Holds records by our id; `fail` decides per record whether a push fails and how."""

    records: dict[str, dict[str, object]] = field(default_factory=dict)
    calls: list[list[str]] = field(default_factory=list)
    fail: Callable[[str], SyncError | None] = lambda record_id: None
    ids: dict[str, str] = field(default_factory=dict)


class CustomerToDict:
    system = "netsuite"
    entity = "customer"
    contract_version = "v1"

    def __init__(self, vendor: DictVendor) -> None:
        self.vendor = vendor

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        customers = session.query(Customer).filter(Customer.id.in_(record_ids))
        return {c.id: {"name": c.full_name, "email": c.email} for c in customers}

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        self.vendor.calls.append([item.record_id for item in items])
        results: dict[str, Pushed | SyncError] = {}
        for item in items:
            error = self.vendor.fail(item.record_id)
            if error is not None:
                results[item.record_id] = error
                continue
            created = item.record_id not in self.vendor.records
            self.vendor.records[item.record_id] = dict(item.payload)
            vendor_id = self.vendor.ids.setdefault(item.record_id, str(1000 + len(self.vendor.ids)))
            results[item.record_id] = Pushed(vendor_id, "created" if created else "updated")
        return results
