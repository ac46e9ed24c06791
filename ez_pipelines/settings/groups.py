"""The settings of each part of the platform, as `Settings.from_env` reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


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
    ops_token: str
    """What a person types (or a proxy sends) to retry or discard a dead letter from a page."""


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


def regions_of(text: str) -> dict[str, str]:
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
