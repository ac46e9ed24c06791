"""What the stand-ins hold, read through their inspection endpoints, set against our records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer, ExternalRef
from ez_pipelines.canonical.stats import customer_stats, distinct_contact_identities
from ez_pipelines.sandbox.client import SandboxClient


@dataclass(frozen=True)
class VendorView:
    system: str
    canonical: int
    """How many records the vendor should hold for our data."""
    vendor_records: int
    duplicates: int
    unmapped: int
    """Our records without a vendor id, or whose vendor id the vendor does not hold."""


def _extra(keys: Iterable[str | None]) -> int:
    """Records beyond the first for each key; a record without a key counts as extra."""
    counts = Counter(keys)
    missing = counts.pop(None, 0)
    return missing + sum(n - 1 for n in counts.values())


def _mapped_ids(db: Database, system: str) -> tuple[int, set[str]]:
    """How many customers have no vendor id for `system`, and the vendor ids the others have."""
    with db.read() as session:
        refs = session.execute(
            select(Customer.id, ExternalRef.vendor_id).outerjoin(
                ExternalRef,
                (ExternalRef.record_id == Customer.id)
                & (ExternalRef.record_type == "customer")
                & (ExternalRef.system == system),
            )
        ).all()
    unmapped = sum(1 for _, vendor_id in refs if vendor_id is None)
    return unmapped, {vendor_id for _, vendor_id in refs if vendor_id is not None}


def netsuite_view(db: Database, sandbox: SandboxClient) -> VendorView:
    held: list[dict[str, Any]] = sandbox.records("netsuite")["records"].get("customer", [])
    unmapped, vendor_ids = _mapped_ids(db, "netsuite")
    held_ids = {str(r["id"]) for r in held}
    return VendorView(
        system="netsuite",
        canonical=customer_stats(db).rows,
        vendor_records=len(held),
        duplicates=_extra(r.get("externalId") for r in held),
        unmapped=unmapped + len(vendor_ids - held_ids),
    )


def hubspot_view(db: Database, sandbox: SandboxClient, *, id_property: str) -> VendorView:
    held: list[dict[str, Any]] = sandbox.records("hubspot")["contacts"]
    unmapped, vendor_ids = _mapped_ids(db, "hubspot")
    held_ids = {str(c["id"]) for c in held}
    emails = [(c["properties"].get("email") or "").strip().casefold() or None for c in held]
    ours = [c["properties"].get(id_property) for c in held if c["properties"].get(id_property)]
    by_email = _extra(e for e in emails if e is not None)
    return VendorView(
        system="hubspot",
        canonical=distinct_contact_identities(db),
        vendor_records=len(held),
        duplicates=by_email + _extra(ours),
        unmapped=unmapped + len(vendor_ids - held_ids),
    )
