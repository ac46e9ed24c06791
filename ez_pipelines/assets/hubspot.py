"""HubSpot projections."""

from contextlib import closing

import dagster as dg

from ez_pipelines.assets.canonical import CUSTOMERS
from ez_pipelines.assets.projections import sync_projection
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.sync_engine import SyncEngineResource
from ez_pipelines.resources.vendors import HubSpotResource

HUBSPOT_CONTACTS = dg.AssetKey(["hubspot", "contacts"])


@dg.asset(
    key=HUBSPOT_CONTACTS,
    deps=[CUSTOMERS],
    group_name="hubspot",
    kinds={"hubspot"},
    op_tags={"ez/vendor": "hubspot"},
)
def hubspot_contacts(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    sync_engine: SyncEngineResource,
    hubspot: HubSpotResource,
) -> dg.MaterializeResult:
    """Customers as HubSpot contacts, batch-upserted on our id, one contact per email."""
    with closing(hubspot.client()) as client:
        projection = hubspot.contacts(client)
        return sync_projection(context, database.database(), projection, sync_engine)
