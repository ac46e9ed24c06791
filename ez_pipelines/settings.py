"""Configuration from `EZ_*` environment variables, with defaults that point at the local sandbox.

Every setting is listed in `SETTINGS`, which the README's table is checked against. Secrets have
sandbox defaults so `make demo` runs with nothing set; production sets them in the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

SANDBOX_HOST = "127.0.0.1"
SANDBOX_PORT = 8790


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    secret: bool = False


def _sandbox(path: str) -> str:
    return f"http://{SANDBOX_HOST}:{SANDBOX_PORT}{path}"


SETTINGS: tuple[Setting, ...] = (
    Setting("EZ_HOME", ".ez", "Folder for the SQLite database, Dagster's storage and demo output."),
    Setting("EZ_DATABASE_URL", "", "SQLAlchemy URL of the canonical store; empty means SQLite."),
    Setting("EZ_DEFAULT_REGION", "AE", "Region for phone numbers typed without a country code."),
    Setting("EZ_HTTP_CONNECT_TIMEOUT_S", "3.05", "Connect timeout of every vendor call."),
    Setting("EZ_HTTP_READ_TIMEOUT_S", "30", "Read timeout of every vendor call."),
    Setting("EZ_NETSUITE_BASE_URL", _sandbox("/netsuite/services/rest"), "SuiteTalk REST root."),
    Setting("EZ_NETSUITE_ACCOUNT_ID", "SANDBOX1", "NetSuite account id, the OAuth realm."),
    Setting("EZ_NETSUITE_CONSUMER_KEY", "ez-sandbox-consumer", "TBA consumer key.", True),
    Setting("EZ_NETSUITE_CONSUMER_SECRET", "ez-sandbox-consumer-secret", "TBA secret.", True),
    Setting("EZ_NETSUITE_TOKEN_ID", "ez-sandbox-token", "TBA token id.", True),
    Setting("EZ_NETSUITE_TOKEN_SECRET", "ez-sandbox-token-secret", "TBA token secret.", True),
    Setting("EZ_NETSUITE_SUBSIDIARY_ID", "1", "Internal id of the subsidiary customers belong to."),
    Setting("EZ_NETSUITE_MAX_IN_FLIGHT", "5", "Cap on concurrent NetSuite requests."),
    Setting("EZ_HUBSPOT_BASE_URL", _sandbox("/hubspot"), "HubSpot API root."),
    Setting("EZ_HUBSPOT_TOKEN", "ez-sandbox-hubspot-token", "Private-app access token.", True),
    Setting("EZ_HUBSPOT_BURST", "190", "Requests allowed per rolling window."),
    Setting("EZ_HUBSPOT_WINDOW_S", "10", "Length of HubSpot's rolling rate-limit window."),
    Setting(
        "EZ_HUBSPOT_KEY_PROPERTY", "ez_contact_key", "Unique contact property keying our contacts."
    ),
    Setting("EZ_CHECKOUT_BASE_URL", _sandbox("/checkout"), "Checkout.com API root."),
    Setting("EZ_CHECKOUT_SECRET_KEY", "sk_sbox_ez_sandbox_key", "API secret key.", True),
    Setting("EZ_CHECKOUT_WEBHOOK_SECRET", "whsec_ez_sandbox", "Webhook signature key.", True),
    Setting("EZ_CHECKOUT_POLL_AFTER_S", "600", "Age of an unsettled payment before it is polled."),
    Setting(
        "EZ_CHECKOUT_KEY_LIFETIME_S", "86400", "How long Checkout.com remembers an idempotency key."
    ),
    Setting("EZ_SERVE_HOST", "127.0.0.1", "Address of `ez-pipelines serve` (webhooks, pages)."),
    Setting("EZ_SERVE_PORT", "8780", "Port of `ez-pipelines serve`."),
    Setting("EZ_WEBHOOK_MAX_BYTES", "1048576", "Largest webhook body accepted."),
    Setting("EZ_OUTBOX_BATCH", "100", "Rows claimed per dispatcher batch."),
    Setting("EZ_OUTBOX_LEASE_S", "120", "How long a claim is held before others may take it."),
    Setting("EZ_RETRY_BASE_S", "1", "First backoff ceiling; doubles per attempt."),
    Setting("EZ_RETRY_CAP_S", "3600", "Largest backoff ceiling."),
    Setting("EZ_RETRY_MAX_ATTEMPTS", "100", "Attempts before a row is dead-lettered."),
    Setting("EZ_RETRY_MAX_AGE_H", "48", "Age of a change after which it is dead-lettered."),
    Setting("EZ_SYNC_LAG_BOUND_S", "900", "Sync lag above which the lag check warns."),
    Setting("EZ_SYNC_DRAIN_S", "120", "Longest one sync run keeps draining its projection."),
    Setting("EZ_SANDBOX_PORT", str(SANDBOX_PORT), "Port of `ez-pipelines sandbox serve`."),
    Setting(
        "EZ_PUBLIC_BASE_URL",
        "",
        "URL senders reach `ez-pipelines serve` at (HubSpot signs it); empty: as received.",
    ),
    Setting(
        "EZ_HUBSPOT_CLIENT_SECRET",
        "ez-sandbox-hubspot-client-secret",
        "HubSpot app client secret: webhook signature v3.",
        True,
    ),
    Setting("EZ_CRISP_SIGNING_SECRET", "ez-sandbox-crisp-secret", "Crisp plugin hook key.", True),
    Setting("EZ_CRISP_HOOK_KEY", "ez-sandbox-crisp-hook-key", "`key` of website hook URLs.", True),
    Setting(
        "EZ_CRISP_MAX_AGE_S", "300", "How far a signed Crisp hook's timestamp may be from now."
    ),
    Setting("EZ_WHATSAPP_APP_SECRET", "ez-sandbox-whatsapp-secret", "Meta app secret.", True),
    Setting("EZ_WHATSAPP_VERIFY_TOKEN", "ez-sandbox-verify-token", "Webhook verify token.", True),
    Setting(
        "EZ_LEAD_REGIONS",
        "hubspot=AE,crisp=AE,whatsapp=AE",
        "Region each lead channel expects its phone numbers in.",
    ),
    Setting("EZ_LEADS_REVIEW_MAX_AGE_H", "48", "Age of the oldest open review item that warns."),
    Setting(
        "EZ_LEADS_DUPLICATE_RATE_MAX", "0.05", "Share of leads sharing an identifier that warns."
    ),
    Setting("EZ_VAT_RATE_BP", "500", "VAT rate on invoices, in basis points (500 is 5%)."),
    Setting("EZ_LATE_RETURN_GRACE_MIN", "60", "Minutes a return may be late without a fee."),
    Setting("EZ_LATE_RETURN_DAY_PERCENT", "100", "Late fee per started day, % of the daily rate."),
    Setting("EZ_REVENUE_JOURNAL_MAX_LINES", "500", "Most lines in one revenue journal."),
    Setting("EZ_NETSUITE_DEFERRED_REVENUE_ACCOUNT", "2410", "Deferred revenue account id."),
    Setting("EZ_NETSUITE_RENTAL_REVENUE_ACCOUNT", "4010", "Rental revenue account id."),
    Setting("EZ_NETSUITE_RENTAL_ITEM", "101", "Item id of rental and extension invoice lines."),
    Setting("EZ_NETSUITE_CHARGE_ITEM", "102", "Item id of late fees and other charges."),
    Setting("EZ_NETSUITE_VAT_ITEM", "103", "Item id of VAT invoice lines."),
    Setting("EZ_MANUAL_JOURNALS_CSV", "", "Finance's manual journals for the parallel run."),
    Setting("EZ_PARALLEL_RUN_TOLERANCE_MINOR", "1", "Largest parallel-run difference that passes."),
    Setting("EZ_SLACK_BASE_URL", _sandbox("/slack/api/"), "Slack Web API root."),
    Setting("EZ_SLACK_TOKEN", "xoxb-ez-sandbox-token", "Slack bot token (chat:write).", True),
    Setting("EZ_SLACK_CHANNEL", "#ez-alerts", "Channel health alerts are posted to."),
    Setting("EZ_DAGSTER_UI_URL", "http://127.0.0.1:3000", "Dagster UI root, for links in alerts."),
    Setting("EZ_HEALTH_ERROR_RATE_WARN", "0.2", "Hourly error rate that turns a tile amber."),
    Setting("EZ_HEALTH_ERROR_RATE_RED", "0.5", "Hourly error rate that turns a tile red."),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class NetSuiteSettings:
    base_url: str
    account_id: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str
    subsidiary_id: str
    max_in_flight: int


@dataclass(frozen=True)
class HubSpotSettings:
    base_url: str
    token: str
    burst: int
    window_s: float
    key_property: str


@dataclass(frozen=True)
class CheckoutSettings:
    base_url: str
    secret_key: str
    webhook_secret: str
    poll_after_s: float
    key_lifetime_s: float = 86_400.0
    """How long Checkout.com answers a repeated idempotency key with the first outcome."""


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    webhook_max_bytes: int


@dataclass(frozen=True)
class LeadsSettings:
    public_base_url: str
    hubspot_client_secret: str
    crisp_signing_secret: str
    crisp_hook_key: str
    crisp_max_age_s: float
    whatsapp_app_secret: str
    whatsapp_verify_token: str
    regions: dict[str, str]
    review_max_age_h: float
    duplicate_rate_max: float

    def region(self, channel: str) -> str:
        return self.regions.get(channel, "AE")


def _regions(text: str) -> dict[str, str]:
    pairs = (part.partition("=") for part in text.split(",") if part.strip())
    return {name.strip(): region.strip().upper() for name, _, region in pairs}


@dataclass(frozen=True)
class RetrySettings:
    base_s: float
    cap_s: float
    max_attempts: int
    max_age: timedelta


@dataclass(frozen=True)
class FinanceSettings:
    vat_rate_bp: int = 500
    late_grace_minutes: int = 60
    late_day_percent: int = 100
    journal_max_lines: int = 500
    deferred_revenue_account: str = "2410"
    rental_revenue_account: str = "4010"
    rental_item: str = "101"
    charge_item: str = "102"
    vat_item: str = "103"
    manual_journals_csv: Path | None = None
    parallel_run_tolerance_minor: int = 1


@dataclass(frozen=True)
class SlackSettings:
    base_url: str
    token: str
    channel: str


@dataclass(frozen=True)
class HealthSettings:
    lag_bound_s: float
    error_rate_warn: float
    error_rate_red: float
    dagster_ui_url: str


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
    finance: FinanceSettings = FinanceSettings()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name) or _DEFAULTS[name]

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
                regions=_regions(get("EZ_LEAD_REGIONS")),
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
        ]
