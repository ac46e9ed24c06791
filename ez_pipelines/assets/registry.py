"""Every outbox projection materialised by an asset: the sensor and the checks read this."""

from dataclasses import dataclass

import dagster as dg

from ez_pipelines.assets import keys
from ez_pipelines.assets.projections import projection_asset


@dataclass(frozen=True)
class ProjectionSpec:
    system: str
    entity: str
    key: dg.AssetKey
    upstream: dg.AssetKey
    description: str
    after: tuple[dg.AssetKey, ...] = ()
    """Projections whose records this one's refer to: a run of all syncs does those first."""


PROJECTIONS = (
    ProjectionSpec(
        "netsuite",
        "customer",
        keys.NETSUITE_CUSTOMERS,
        keys.CUSTOMERS,
        "Customers upserted into NetSuite by external id (our customer id).",
    ),
    ProjectionSpec(
        "hubspot",
        "customer",
        keys.HUBSPOT_CONTACTS,
        keys.CUSTOMERS,
        "Customers as HubSpot contacts, one per email, batch-upserted on our key.",
    ),
    ProjectionSpec(
        "checkout",
        "payment",
        keys.CHECKOUT_PAYMENTS,
        keys.PAYMENTS,
        "Payments asked of Checkout.com, each with an idempotency key derived from our id.",
    ),
    ProjectionSpec(
        "checkout",
        "refund",
        keys.CHECKOUT_REFUNDS,
        keys.PAYMENTS,
        "Refunds asked of Checkout.com, each with an idempotency key derived from our id.",
    ),
    ProjectionSpec(
        "netsuite",
        "payment_action",
        keys.NETSUITE_PAYMENT_ACTIONS,
        keys.CHECKOUT_EVENTS,
        "Captures as customer payments and refunds as customer refunds, keyed by action id.",
    ),
    ProjectionSpec(
        "hubspot",
        "lead",
        keys.HUBSPOT_LEAD_CONTACTS,
        keys.LEADS_UNIFIED,
        "Unified leads as HubSpot contacts, with their chat and WhatsApp conversation ids.",
    ),
    ProjectionSpec(
        "netsuite",
        "invoice",
        keys.NETSUITE_INVOICES,
        keys.FINANCE_DOCUMENTS,
        "Each booking's invoice, upserted by its invoice number; an extension updates it.",
        after=(keys.NETSUITE_CUSTOMERS,),
    ),
    ProjectionSpec(
        "netsuite",
        "credit_note",
        keys.NETSUITE_CREDIT_MEMOS,
        keys.FINANCE_DOCUMENTS,
        "Refunds, adjustments and cancellations as credit memos created from their invoice.",
        after=(keys.NETSUITE_INVOICES,),
    ),
    ProjectionSpec(
        "netsuite",
        "revenue_journal",
        keys.NETSUITE_REVENUE_JOURNALS,
        keys.REVENUE_JOURNALS,
        "Each day's revenue journals, upserted by their REVREC external ids.",
    ),
)

PROJECTION_ASSETS: dict[tuple[str, str], dg.AssetKey] = {
    (spec.system, spec.entity): spec.key for spec in PROJECTIONS
}
PROJECTION_ASSET_DEFS = [
    projection_asset(
        key=spec.key,
        system=spec.system,
        entity=spec.entity,
        upstream=spec.upstream,
        description=spec.description,
        after=spec.after,
    )
    for spec in PROJECTIONS
]
