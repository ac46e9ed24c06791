"""The polling fallback's schedule: every 15 minutes, look up what went quiet."""

import dagster as dg

from ez_pipelines.assets.keys import CHECKOUT_EVENTS, PAYMENT_POLLS

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
