"""Every `EZ_*` setting: its name, its default and what it is for.

The README's settings table is checked against this list. Secrets have sandbox defaults so
`make demo` runs with nothing set; production sets them in the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    Setting("EZ_OPS_TOKEN", "ez-sandbox-ops-token", "Token the ops pages' actions need.", True),
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

DEFAULTS = {s.name: s.default for s in SETTINGS}
