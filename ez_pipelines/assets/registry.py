"""Which asset materialises which outbox projection: the sensor and the checks read this."""

import dagster as dg

from ez_pipelines.assets.hubspot import HUBSPOT_CONTACTS
from ez_pipelines.assets.netsuite import NETSUITE_CUSTOMERS

PROJECTION_ASSETS: dict[tuple[str, str], dg.AssetKey] = {
    ("netsuite", "customer"): NETSUITE_CUSTOMERS,
    ("hubspot", "customer"): HUBSPOT_CONTACTS,
}
