"""The one Dagster `Definitions` of the platform, with resources chosen from the environment.

Every setting comes from `EZ_*` variables with sandbox defaults (see `settings.py`). A secret that
is set in the environment reaches its resource as an `EnvVar`, so Dagster resolves it at run time
and never stores or shows its value; unset, the resource gets the sandbox's public test value.
"""

import os

import dagster as dg

from ez_pipelines.assets.canonical import (
    canonical_bookings,
    canonical_customers,
    canonical_payments,
)
from ez_pipelines.assets.finance import (
    deferred_revenue,
    finance_documents,
    parallel_run,
    revenue_journals,
)
from ez_pipelines.assets.health import integration_health_asset
from ez_pipelines.assets.leads import RAW_LEAD_ASSETS, leads_unified
from ez_pipelines.assets.payments import (
    checkout_events,
    checkout_payment_polls,
    payments_reconciliation,
)
from ez_pipelines.assets.registry import PROJECTION_ASSET_DEFS
from ez_pipelines.checks.outbox import OUTBOX_CHECKS
from ez_pipelines.ops.logs import ensure_masking
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.finance import FinanceResource
from ez_pipelines.resources.health import HealthResource
from ez_pipelines.resources.leads import LeadsResource
from ez_pipelines.resources.slack import SlackAlertsResource
from ez_pipelines.resources.sync_engine import SyncEngineResource
from ez_pipelines.resources.vendors import CheckoutResource, HubSpotResource, NetSuiteResource
from ez_pipelines.schedules.finance import (
    finance_documents_job,
    finance_documents_schedule,
    nightly_revenue_schedule,
    revenue_recognition_job,
)
from ez_pipelines.schedules.health import integration_health_job, integration_health_schedule
from ez_pipelines.schedules.payments import (
    nightly_reconciliation_schedule,
    payment_polling_job,
    payment_polling_schedule,
    reconciliation_job,
)
from ez_pipelines.sensors.alerts import health_alerts_sensor
from ez_pipelines.sensors.inbox import inbox_sensor
from ez_pipelines.sensors.outbox import outbox_sensor
from ez_pipelines.settings import SETTINGS, Settings

SECRET_NAMES = {s.name for s in SETTINGS if s.secret}


def secret(name: str, sandbox_value: str) -> str:
    if name not in SECRET_NAMES:
        raise KeyError(f"{name} is not a secret setting")
    if os.environ.get(name):
        return dg.EnvVar(name)
    return sandbox_value


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    connect_s, read_s = settings.timeout
    ns, hs, cko, retry = settings.netsuite, settings.hubspot, settings.checkout, settings.retry
    fin = settings.finance
    return {
        "database": DatabaseResource(url=settings.database_url),
        "sync_engine": SyncEngineResource(
            batch_size=settings.outbox_batch,
            lease_s=settings.outbox_lease_s,
            retry_base_s=retry.base_s,
            retry_cap_s=retry.cap_s,
            retry_max_attempts=retry.max_attempts,
            retry_max_age_h=retry.max_age.total_seconds() / 3600,
            lag_bound_s=settings.sync_lag_bound_s,
            drain_seconds=settings.sync_drain_s,
        ),
        "netsuite": NetSuiteResource(
            base_url=ns.base_url,
            account_id=ns.account_id,
            consumer_key=secret("EZ_NETSUITE_CONSUMER_KEY", ns.consumer_key),
            consumer_secret=secret("EZ_NETSUITE_CONSUMER_SECRET", ns.consumer_secret),
            token_id=secret("EZ_NETSUITE_TOKEN_ID", ns.token_id),
            token_secret=secret("EZ_NETSUITE_TOKEN_SECRET", ns.token_secret),
            subsidiary_id=ns.subsidiary_id,
            max_in_flight=ns.max_in_flight,
            connect_timeout_s=connect_s,
            read_timeout_s=read_s,
            deferred_revenue_account=fin.deferred_revenue_account,
            rental_revenue_account=fin.rental_revenue_account,
            rental_item=fin.rental_item,
            charge_item=fin.charge_item,
            vat_item=fin.vat_item,
        ),
        "hubspot": HubSpotResource(
            base_url=hs.base_url,
            token=secret("EZ_HUBSPOT_TOKEN", hs.token),
            burst=hs.burst,
            window_s=hs.window_s,
            key_property=hs.key_property,
            connect_timeout_s=connect_s,
            read_timeout_s=read_s,
        ),
        "checkout": CheckoutResource(
            base_url=cko.base_url,
            secret_key=secret("EZ_CHECKOUT_SECRET_KEY", cko.secret_key),
            poll_after_s=cko.poll_after_s,
            key_lifetime_s=cko.key_lifetime_s,
            connect_timeout_s=connect_s,
            read_timeout_s=read_s,
        ),
        "leads": LeadsResource(
            regions=",".join(f"{k}={v}" for k, v in settings.leads.regions.items()),
            review_max_age_h=settings.leads.review_max_age_h,
            duplicate_rate_max=settings.leads.duplicate_rate_max,
        ),
        "finance": FinanceResource(
            vat_rate_bp=fin.vat_rate_bp,
            late_grace_minutes=fin.late_grace_minutes,
            late_day_percent=fin.late_day_percent,
            journal_max_lines=fin.journal_max_lines,
            deferred_revenue_account=fin.deferred_revenue_account,
            rental_revenue_account=fin.rental_revenue_account,
            manual_journals_csv=str(fin.manual_journals_csv or ""),
            parallel_run_tolerance_minor=fin.parallel_run_tolerance_minor,
        ),
        "health": HealthResource(
            lag_bound_s=settings.health.lag_bound_s,
            error_rate_warn=settings.health.error_rate_warn,
            error_rate_red=settings.health.error_rate_red,
            dagster_ui_url=settings.health.dagster_ui_url,
        ),
        "slack": SlackAlertsResource(
            token=secret("EZ_SLACK_TOKEN", settings.slack.token),
            base_url=settings.slack.base_url,
            channel=settings.slack.channel,
        ),
    }


PROJECTION_GROUPS = ("canonical", "netsuite", "hubspot", "checkout", "leads")

sync_all_job = dg.define_asset_job(
    "sync_all",
    selection=dg.AssetSelection.groups(*PROJECTION_GROUPS),
    description="Snapshot the canonical tables, drain every projection's outbox rows and apply "
    "the webhook events received.",
)


def build_definitions(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    ensure_masking(settings.secrets())
    return dg.Definitions(
        assets=[
            canonical_customers,
            canonical_bookings,
            canonical_payments,
            *PROJECTION_ASSET_DEFS,
            checkout_events,
            checkout_payment_polls,
            payments_reconciliation,
            *RAW_LEAD_ASSETS,
            leads_unified,
            finance_documents,
            revenue_journals,
            deferred_revenue,
            parallel_run,
            integration_health_asset,
        ],
        asset_checks=OUTBOX_CHECKS,
        sensors=[outbox_sensor, inbox_sensor, health_alerts_sensor],
        schedules=[
            payment_polling_schedule,
            finance_documents_schedule,
            nightly_reconciliation_schedule,
            nightly_revenue_schedule,
            integration_health_schedule,
        ],
        jobs=[
            sync_all_job,
            payment_polling_job,
            reconciliation_job,
            finance_documents_job,
            revenue_recognition_job,
            integration_health_job,
        ],
        resources=build_resources(settings),
    )


defs = build_definitions()
