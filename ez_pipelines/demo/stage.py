"""Setting the demo's stage: a fresh home, the environment that points everything at the
sandbox, the faults switched on, and the odd delivery someone forged."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.registry import SYSTEMS

if TYPE_CHECKING:
    from ez_pipelines.demo.runner import DemoOptions

Echo = Callable[[str], None]
POLL_AFTER_S = 3.0
"""How quiet a payment must be before the demo's polling pass asks about it (600 s in production;
the demo compresses it as it compresses Checkout.com's resend schedule)."""


def prepare_home(home: Path) -> str:
    """A fresh demo database under `home`, and Dagster's storage beside it, emptied too when it
    lives under `home`: runs and alerts of an earlier demo refer to a store that is gone."""
    home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (home / f"ez.db{suffix}").unlink(missing_ok=True)
    for log_name in ("demo.log", "receiver.log"):
        (home / "logs" / log_name).unlink(missing_ok=True)
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(home / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    if dagster_home.resolve().is_relative_to(home.resolve()):
        for stored in dagster_home.iterdir():
            if stored.name == "dagster.yaml":
                continue
            if stored.is_dir():
                shutil.rmtree(stored)
            else:
                stored.unlink()
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return f"sqlite:///{home / 'ez.db'}"


def demo_environment(url: str, port: int, options: DemoOptions) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    return {
        "EZ_DATABASE_URL": url,
        "EZ_NETSUITE_BASE_URL": f"{base}/netsuite/services/rest",
        "EZ_HUBSPOT_BASE_URL": f"{base}/hubspot",
        "EZ_CHECKOUT_BASE_URL": f"{base}/checkout",
        "EZ_SLACK_BASE_URL": f"{base}/slack/api/",
        "EZ_CHECKOUT_POLL_AFTER_S": str(POLL_AFTER_S),
        "EZ_HTTP_READ_TIMEOUT_S": str(options.read_timeout_s),
        "EZ_RETRY_BASE_S": "0.5",
        "EZ_RETRY_CAP_S": "8",
        "EZ_SYNC_DRAIN_S": "60",
    }


def precreate_form_contacts(settings: Settings, scenario_contacts: list[dict[str, str]]) -> int:
    """Contacts a web form left in HubSpot before our first sync, through HubSpot's own API."""
    with HubSpotClient(settings.hubspot, timeout=settings.timeout) as client:
        for properties in scenario_contacts:
            client.create_contact(properties)
    return len(scenario_contacts)


def switch_faults_on(
    sandbox: SandboxClient, settings: Settings, webhook_url: str, options: DemoOptions
) -> None:
    for name in SYSTEMS:
        sandbox.set_faults(
            name,
            error_rate=options.error_rate,
            timeout_after_commit_rate=options.timeout_after_commit_rate,
            hang_s=options.read_timeout_s + 1.0,
            seed=options.seed,
        )
    # Checkout.com resends for about 30 hours; at this scale the whole schedule takes 100 s.
    sandbox.configure(
        "checkout",
        webhook_url=webhook_url,
        webhook_secret=settings.checkout.webhook_secret,
        drop_rate=options.webhook_drop_rate,
        duplicate_rate=options.webhook_duplicate_rate,
        reorder=True,
        delay_ms=500.0,
        time_scale=0.001,
        seed=options.seed,
    )


def webhooks_in_flight(sandbox: SandboxClient) -> Callable[[], bool]:
    def busy() -> bool:
        return int(sandbox.stats("checkout")["webhooks"]["pending"]) > 0

    return busy


def forged_webhook(webhook_url: str, echo: Echo) -> None:
    """Someone posts an event signed with the wrong key: refused, counted, and heard in Slack."""
    body = b'{"id":"evt_forged_1","type":"payment_captured","data":{}}'
    answer = requests.post(webhook_url, data=body, headers={"Cko-Signature": "0" * 64}, timeout=5)
    echo(f"a webhook with a forged signature arrives: answered {answer.status_code}")
