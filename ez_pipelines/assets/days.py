"""The Dubai-day partitions of the platform, and how a revenue day finds its reconciliation.

Both are daily windows of Asia/Dubai from the same start, so one day has one key on both sides
(`2026-11-05`). They differ only in what they offer: payments reconcile the current day as far
as it has gone, revenue posts only days that have ended.
"""

import dagster as dg

START = "2026-11-01"
DUBAI = "Asia/Dubai"

# Business days are Dubai's; the current day is offered too, reconciled as far as it has gone.
DUBAI_DAYS = dg.DailyPartitionsDefinition(start_date=START, timezone=DUBAI, end_offset=1)
# A revenue partition is a whole Dubai day: the last one offered is yesterday's in Dubai.
REVENUE_DAYS = dg.DailyPartitionsDefinition(start_date=START, timezone=DUBAI)

# The journal of a day depends on the reconciliation of the very same day.
SAME_DUBAI_DAY = dg.TimeWindowPartitionMapping()


def reconciliation_day(revenue_day: str) -> str:
    """The reconciliation partition that vouches for the revenue partition `revenue_day`."""
    window = REVENUE_DAYS.time_window_for_partition_key(revenue_day)
    [key] = DUBAI_DAYS.get_partition_keys_in_time_window(window)
    return key
