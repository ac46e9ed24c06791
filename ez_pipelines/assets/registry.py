"""Every outbox projection materialised by an asset: the sensor and the checks read this."""

import dagster as dg

from ez_pipelines.assets.canonical import CUSTOMERS
from ez_pipelines.assets.projections import projection_asset

NETSUITE_CUSTOMERS = dg.AssetKey(["netsuite", "customers"])
HUBSPOT_CONTACTS = dg.AssetKey(["hubspot", "contacts"])

PROJECTION_ASSETS: dict[tuple[str, str], dg.AssetKey] = {
    ("netsuite", "customer"): NETSUITE_CUSTOMERS,
    ("hubspot", "customer"): HUBSPOT_CONTACTS,
}

netsuite_customers = projection_asset(
    key=NETSUITE_CUSTOMERS,
    system="netsuite",
    entity="customer",
    upstream=CUSTOMERS,
    description="Customers upserted into NetSuite by external id (our customer id).",
)
hubspot_contacts = projection_asset(
    key=HUBSPOT_CONTACTS,
    system="hubspot",
    entity="customer",
    upstream=CUSTOMERS,
    description="Customers as HubSpot contacts, one per email, batch-upserted on our key.",
)

PROJECTION_ASSET_DEFS = [netsuite_customers, hubspot_contacts]
