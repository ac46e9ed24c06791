"""How fresh the canonical snapshots and the projections are expected to be.

Canonical snapshots are taken by full syncs; projections materialise whenever the outbox has
rows due, so a projection that has not run for hours either had nothing to send or is stuck,
and the UI's freshness state tells a person which to look at.
"""

from datetime import timedelta

import dagster as dg

CANONICAL_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=26), warn_window=timedelta(hours=24)
)
PROJECTION_FRESHNESS = dg.FreshnessPolicy.time_window(
    fail_window=timedelta(hours=24), warn_window=timedelta(hours=6)
)
