"""NetSuite projections."""

from contextlib import closing

import dagster as dg

from ez_pipelines.assets.canonical import CUSTOMERS
from ez_pipelines.assets.projections import sync_projection
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.sync_engine import SyncEngineResource
from ez_pipelines.resources.vendors import NetSuiteResource

NETSUITE_CUSTOMERS = dg.AssetKey(["netsuite", "customers"])


@dg.asset(
    key=NETSUITE_CUSTOMERS,
    deps=[CUSTOMERS],
    group_name="netsuite",
    kinds={"netsuite"},
    op_tags={"ez/vendor": "netsuite"},
)
def netsuite_customers(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    sync_engine: SyncEngineResource,
    netsuite: NetSuiteResource,
) -> dg.MaterializeResult:
    """Customers upserted into NetSuite by external id (our customer id)."""
    with closing(netsuite.client()) as client:
        projection = netsuite.customers(client)
        return sync_projection(context, database.database(), projection, sync_engine)
