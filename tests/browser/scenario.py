"""A demo-sized run in-process: a generated slice of the month synced into the sandbox through
the real adapters, webhooks delivered to a running receiver, and a few dead letters."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.history import record_samples
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.scenario import Scenario, generate_month
from ez_pipelines.sandbox.scenario_apply import apply_phase
from ez_pipelines.sandbox.scenario_payments import apply_payments, plan_payments
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.registry import open_projections
from tests.outbox.helpers import rename

MONTH = date(2026, 11, 1)
QUICK = RetryPolicy(base_s=0.05, cap_s=0.5, max_attempts=30)


def settings_for(home: Path, db: Database, sandbox_url: str, **extra: str) -> Settings:
    """The environment's settings (secrets included), pointed at this store and sandbox."""
    return Settings.from_env(
        {
            **os.environ,
            "EZ_HOME": str(home),
            "EZ_DATABASE_URL": db.engine.url.render_as_string(hide_password=False),
            "EZ_NETSUITE_BASE_URL": f"{sandbox_url}/netsuite/services/rest",
            "EZ_HUBSPOT_BASE_URL": f"{sandbox_url}/hubspot",
            "EZ_CHECKOUT_BASE_URL": f"{sandbox_url}/checkout",
            "EZ_SLACK_BASE_URL": f"{sandbox_url}/slack/api/",
            "EZ_HTTP_READ_TIMEOUT_S": "2",
            **extra,
        }
    )


def drain_everything(db: Database, settings: Settings, policy: RetryPolicy = QUICK) -> None:
    with open_projections(settings) as projections:
        for projection in projections:
            Dispatcher(db, projection, policy=policy, batch_size=50).drain(max_seconds=60)


def run_month_slice(db: Database, settings: Settings, *, customers: int, seed: int = 7) -> Scenario:
    """Both phases of a generated month for `customers` customers, each synced as it lands."""
    scenario = generate_month(seed, MONTH, customers)
    for phase in (1, 2):
        now = SYSTEM_CLOCK.now()
        apply_phase(db, scenario, phase, now=now)
        apply_payments(db, plan_payments(scenario, phase), now=now)
        drain_everything(db, settings)
    return scenario


def make_dead_letters(
    db: Database, settings: Settings, sandbox: SandboxClient, count: int
) -> list[str]:
    """`count` customer changes NetSuite refuses until their one attempt is spent."""
    with db.read() as session:
        ids = [c.id for c in session.query(Customer).order_by(Customer.id).limit(count)]
    for customer_id in ids:
        rename(db, customer_id, "Haddad-Khoury", SYSTEM_CLOCK.now())
    sandbox.set_faults("netsuite", error_rate=1.0)
    with open_projections(settings) as projections:
        customers = next(p for p in projections if (p.system, p.entity) == ("netsuite", "customer"))
        Dispatcher(db, customers, policy=RetryPolicy(max_attempts=1)).drain(max_seconds=30)
    sandbox.set_faults("netsuite")
    drain_everything(db, settings)
    return ids


def sample_health(db: Database, thresholds: Thresholds, times: int = 3) -> None:
    for _ in range(times):
        record_samples(db, integration_health(db, now=SYSTEM_CLOCK.now(), thresholds=thresholds))


@contextmanager
def chromium_page(screenshots: Path) -> Iterator[Page]:
    """A page in Debian's headless chromium; fails, never skips, when it is not installed."""
    executable = Path("/usr/bin/chromium")
    if not executable.exists():
        raise AssertionError(
            "/usr/bin/chromium is missing: install Debian's chromium and chromium-driver "
            "(`make install` does as root; otherwise `apt-get install chromium chromium-driver`)"
        )
    screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()
