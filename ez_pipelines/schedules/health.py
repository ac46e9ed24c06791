"""The health schedule: every five minutes, measure every integration and judge the figures."""

import dagster as dg

from ez_pipelines.assets.keys import INTEGRATION_HEALTH

integration_health_job = dg.define_asset_job(
    "integration_health",
    selection=dg.AssetSelection.assets(INTEGRATION_HEALTH),
    description="Measure every integration, keep a sample for the charts, run the health checks.",
)

integration_health_schedule = dg.ScheduleDefinition(
    name="integration_health_every_5_minutes",
    job=integration_health_job,
    cron_schedule="*/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
