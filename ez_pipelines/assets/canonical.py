"""The canonical tables as assets: the upstream of every projection in the lineage graph.

The tables are written by the business (bookings, imports), not by Dagster; materialising them
records a snapshot of what they hold, so a projection's run can be read against its input.
"""

import dagster as dg

from ez_pipelines.assets.freshness import CANONICAL_FRESHNESS
from ez_pipelines.assets.keys import BOOKINGS, CUSTOMERS, PAYMENTS
from ez_pipelines.canonical.stats import booking_stats, customer_stats, payment_stats
from ez_pipelines.resources.database import DatabaseResource


@dg.asset(
    key=CUSTOMERS,
    group_name="canonical",
    kinds={"sqlalchemy"},
    freshness_policy=CANONICAL_FRESHNESS,
)
def canonical_customers(database: DatabaseResource) -> dg.MaterializeResult:
    """Customers: the people who rent from us, as our own database records them."""
    stats = customer_stats(database.database())
    metadata: dict[str, dg.RawMetadataValue] = {"rows": stats.rows}
    if stats.last_change is not None:
        metadata["last_change"] = dg.TimestampMetadataValue(stats.last_change.timestamp())
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=BOOKINGS,
    deps=[CUSTOMERS],
    group_name="canonical",
    kinds={"sqlalchemy"},
    freshness_policy=CANONICAL_FRESHNESS,
)
def canonical_bookings(database: DatabaseResource) -> dg.MaterializeResult:
    """Bookings with their extensions, returns and charges."""
    return dg.MaterializeResult(metadata=dict(booking_stats(database.database())))


@dg.asset(
    key=PAYMENTS,
    deps=[BOOKINGS],
    group_name="canonical",
    kinds={"sqlalchemy"},
    freshness_policy=CANONICAL_FRESHNESS,
)
def canonical_payments(database: DatabaseResource) -> dg.MaterializeResult:
    """Payments we took for bookings and refunds we gave, with what Checkout.com told us."""
    return dg.MaterializeResult(metadata=dict(payment_stats(database.database())))
