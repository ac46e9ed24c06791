"""Payments' schedules: every 15 minutes, look up what went quiet; after Dubai midnight,
reconcile the day that just ended."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import dagster as dg

from ez_pipelines.assets.keys import CHECKOUT_EVENTS, PAYMENT_POLLS, RECONCILIATION

payment_polling_job = dg.define_asset_job(
    "checkout_payment_polling",
    selection=dg.AssetSelection.assets(PAYMENT_POLLS, CHECKOUT_EVENTS),
    description="Poll Checkout.com for quiet payments, then retry waiting events.",
)

payment_polling_schedule = dg.ScheduleDefinition(
    name="checkout_payment_polling_every_15_minutes",
    job=payment_polling_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="Asia/Dubai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

reconciliation_job = dg.define_asset_job(
    "payments_reconciliation",
    selection=dg.AssetSelection.assets(RECONCILIATION),
    description="Reconcile one Dubai day's payments with Checkout.com and NetSuite.",
)


@dg.schedule(
    name="nightly_payments_reconciliation",
    job=reconciliation_job,
    cron_schedule="5 0 * * *",
    execution_timezone="Asia/Dubai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
def nightly_reconciliation_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Five minutes after Dubai midnight, the day that just ended: its check must pass before
    the nightly revenue run (fifteen minutes later) may post that day's journal."""
    day = context.scheduled_execution_time.astimezone(ZoneInfo("Asia/Dubai")).date()
    return dg.RunRequest(partition_key=(day - timedelta(days=1)).isoformat())
