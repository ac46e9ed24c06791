"""Configuration from `EZ_*` environment variables, with defaults that point at the local sandbox.

Every setting is listed in `SETTINGS`, which the README's table is checked against. Secrets have
sandbox defaults so `make demo` runs with nothing set; production sets them in the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from ez_pipelines.settings.catalogue import DEFAULTS, SANDBOX_HOST, SANDBOX_PORT, SETTINGS, Setting
from ez_pipelines.settings.groups import (
    CheckoutSettings,
    FinanceSettings,
    HealthSettings,
    HubSpotSettings,
    LeadsSettings,
    NetSuiteSettings,
    RetrySettings,
    ServeSettings,
    SlackSettings,
    regions_of,
)

__all__ = [
    "SANDBOX_HOST",
    "SANDBOX_PORT",
    "SETTINGS",
    "CheckoutSettings",
    "FinanceSettings",
    "HealthSettings",
    "HubSpotSettings",
    "LeadsSettings",
    "NetSuiteSettings",
    "RetrySettings",
    "ServeSettings",
    "Setting",
    "Settings",
    "SlackSettings",
]


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    default_region: str
    timeout: tuple[float, float]
    netsuite: NetSuiteSettings
    hubspot: HubSpotSettings
    checkout: CheckoutSettings
    serve: ServeSettings
    retry: RetrySettings
    outbox_batch: int
    outbox_lease_s: float
    sync_lag_bound_s: float
    sync_drain_s: float
    sandbox_port: int
    leads: LeadsSettings
    slack: SlackSettings
    health: HealthSettings
    finance: FinanceSettings = field(default_factory=FinanceSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name) or DEFAULTS[name]

        home = Path(get("EZ_HOME")).resolve()
        return cls(
            home=home,
            database_url=get("EZ_DATABASE_URL") or f"sqlite:///{home / 'ez.db'}",
            default_region=get("EZ_DEFAULT_REGION"),
            timeout=(float(get("EZ_HTTP_CONNECT_TIMEOUT_S")), float(get("EZ_HTTP_READ_TIMEOUT_S"))),
            netsuite=NetSuiteSettings(
                base_url=get("EZ_NETSUITE_BASE_URL").rstrip("/"),
                account_id=get("EZ_NETSUITE_ACCOUNT_ID"),
                consumer_key=get("EZ_NETSUITE_CONSUMER_KEY"),
                consumer_secret=get("EZ_NETSUITE_CONSUMER_SECRET"),
                token_id=get("EZ_NETSUITE_TOKEN_ID"),
                token_secret=get("EZ_NETSUITE_TOKEN_SECRET"),
                subsidiary_id=get("EZ_NETSUITE_SUBSIDIARY_ID"),
                max_in_flight=int(get("EZ_NETSUITE_MAX_IN_FLIGHT")),
            ),
            hubspot=HubSpotSettings(
                base_url=get("EZ_HUBSPOT_BASE_URL").rstrip("/"),
                token=get("EZ_HUBSPOT_TOKEN"),
                burst=int(get("EZ_HUBSPOT_BURST")),
                window_s=float(get("EZ_HUBSPOT_WINDOW_S")),
                key_property=get("EZ_HUBSPOT_KEY_PROPERTY"),
            ),
            checkout=CheckoutSettings(
                base_url=get("EZ_CHECKOUT_BASE_URL").rstrip("/"),
                secret_key=get("EZ_CHECKOUT_SECRET_KEY"),
                webhook_secret=get("EZ_CHECKOUT_WEBHOOK_SECRET"),
                poll_after_s=float(get("EZ_CHECKOUT_POLL_AFTER_S")),
                key_lifetime_s=float(get("EZ_CHECKOUT_KEY_LIFETIME_S")),
            ),
            serve=ServeSettings(
                host=get("EZ_SERVE_HOST"),
                port=int(get("EZ_SERVE_PORT")),
                webhook_max_bytes=int(get("EZ_WEBHOOK_MAX_BYTES")),
                ops_token=get("EZ_OPS_TOKEN"),
            ),
            retry=RetrySettings(
                base_s=float(get("EZ_RETRY_BASE_S")),
                cap_s=float(get("EZ_RETRY_CAP_S")),
                max_attempts=int(get("EZ_RETRY_MAX_ATTEMPTS")),
                max_age=timedelta(hours=float(get("EZ_RETRY_MAX_AGE_H"))),
            ),
            outbox_batch=int(get("EZ_OUTBOX_BATCH")),
            outbox_lease_s=float(get("EZ_OUTBOX_LEASE_S")),
            sync_lag_bound_s=float(get("EZ_SYNC_LAG_BOUND_S")),
            sync_drain_s=float(get("EZ_SYNC_DRAIN_S")),
            sandbox_port=int(get("EZ_SANDBOX_PORT")),
            leads=LeadsSettings(
                public_base_url=env.get("EZ_PUBLIC_BASE_URL", "").rstrip("/"),
                hubspot_client_secret=get("EZ_HUBSPOT_CLIENT_SECRET"),
                crisp_signing_secret=get("EZ_CRISP_SIGNING_SECRET"),
                crisp_hook_key=get("EZ_CRISP_HOOK_KEY"),
                crisp_max_age_s=float(get("EZ_CRISP_MAX_AGE_S")),
                whatsapp_app_secret=get("EZ_WHATSAPP_APP_SECRET"),
                whatsapp_verify_token=get("EZ_WHATSAPP_VERIFY_TOKEN"),
                regions=regions_of(get("EZ_LEAD_REGIONS")),
                review_max_age_h=float(get("EZ_LEADS_REVIEW_MAX_AGE_H")),
                duplicate_rate_max=float(get("EZ_LEADS_DUPLICATE_RATE_MAX")),
            ),
            finance=FinanceSettings(
                vat_rate_bp=int(get("EZ_VAT_RATE_BP")),
                late_grace_minutes=int(get("EZ_LATE_RETURN_GRACE_MIN")),
                late_day_percent=int(get("EZ_LATE_RETURN_DAY_PERCENT")),
                journal_max_lines=int(get("EZ_REVENUE_JOURNAL_MAX_LINES")),
                deferred_revenue_account=get("EZ_NETSUITE_DEFERRED_REVENUE_ACCOUNT"),
                rental_revenue_account=get("EZ_NETSUITE_RENTAL_REVENUE_ACCOUNT"),
                rental_item=get("EZ_NETSUITE_RENTAL_ITEM"),
                charge_item=get("EZ_NETSUITE_CHARGE_ITEM"),
                vat_item=get("EZ_NETSUITE_VAT_ITEM"),
                manual_journals_csv=Path(
                    get("EZ_MANUAL_JOURNALS_CSV") or home / "manual-journals.csv"
                ),
                parallel_run_tolerance_minor=int(get("EZ_PARALLEL_RUN_TOLERANCE_MINOR")),
            ),
            slack=SlackSettings(
                base_url=get("EZ_SLACK_BASE_URL"),
                token=get("EZ_SLACK_TOKEN"),
                channel=get("EZ_SLACK_CHANNEL"),
            ),
            health=HealthSettings(
                lag_bound_s=float(get("EZ_SYNC_LAG_BOUND_S")),
                error_rate_warn=float(get("EZ_HEALTH_ERROR_RATE_WARN")),
                error_rate_red=float(get("EZ_HEALTH_ERROR_RATE_RED")),
                dagster_ui_url=get("EZ_DAGSTER_UI_URL").rstrip("/"),
            ),
        )

    def secrets(self) -> list[str]:
        """Every secret value in effect, for log scrubbing and the tests that hunt for leaks."""
        return [
            self.netsuite.consumer_secret,
            self.netsuite.token_secret,
            self.netsuite.consumer_key,
            self.netsuite.token_id,
            self.hubspot.token,
            self.checkout.secret_key,
            self.checkout.webhook_secret,
            self.leads.hubspot_client_secret,
            self.leads.crisp_signing_secret,
            self.leads.crisp_hook_key,
            self.leads.whatsapp_app_secret,
            self.leads.whatsapp_verify_token,
            self.slack.token,
            self.serve.ops_token,
        ]
