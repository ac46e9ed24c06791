"""Finance's schedules: documents every 15 minutes, yesterday's revenue after Dubai midnight."""

import dagster as dg

from ez_pipelines.assets.keys import DEFERRED_REVENUE, FINANCE_DOCUMENTS, REVENUE_JOURNALS

finance_documents_job = dg.define_asset_job(
    "finance_documents",
    selection=dg.AssetSelection.assets(FINANCE_DOCUMENTS),
    description="Bring invoices and credit notes up to date with bookings and refunds.",
)

revenue_recognition_job = dg.define_asset_job(
    "revenue_recognition",
    selection=dg.AssetSelection.assets(REVENUE_JOURNALS, DEFERRED_REVENUE),
    description="Post one Dubai day's revenue journals and roll deferred revenue forward.",
)

finance_documents_schedule = dg.ScheduleDefinition(
    name="finance_documents_every_15_minutes",
    job=finance_documents_job,
    cron_schedule="*/15 * * * *",
    execution_timezone="Asia/Dubai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

# Twenty minutes after Dubai midnight, for the day that just ended (the newest partition): after
# the nightly reconciliation of that day, whose passing check the journal requires.
nightly_revenue_schedule = dg.build_schedule_from_partitioned_job(
    revenue_recognition_job,
    name="nightly_revenue_recognition",
    hour_of_day=0,
    minute_of_hour=20,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
