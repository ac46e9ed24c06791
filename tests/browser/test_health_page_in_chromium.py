"""The health page as a person sees it, in headless Chromium, after a demo-sized run: a tile per
integration in its colour, and a dead letter opened and retried by clicking."""

from __future__ import annotations

from pathlib import Path

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.outbox.deadletters import list_dead_letters
from ez_pipelines.outbox.tables import PENDING, OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.registry import SYSTEMS
from tests.browser.scenario import (
    chromium_page,
    make_dead_letters,
    run_month_slice,
    sample_health,
    settings_for,
)
from tests.ops.test_health_pages import status_of

# The tile's left border, in the colours the page's stylesheet gives each status.
BORDER = {"green": "rgb(26, 127, 55)", "amber": "rgb(191, 135, 0)", "red": "rgb(207, 34, 46)"}


@pytest.mark.slow
def test_health_page_shows_every_integration_and_retries_a_dead_letter(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path, sqlite_db, sandbox.base_url)
    app = create_ops_app(settings, sqlite_db)
    with BackgroundServer(app) as ops:
        sandbox_client.configure(
            "checkout",
            webhook_url=f"{ops.base_url}/webhooks/checkout",
            webhook_secret=settings.checkout.webhook_secret,
        )
        run_month_slice(sqlite_db, settings, customers=150)
        make_dead_letters(sqlite_db, settings, sandbox_client, count=2)
        thresholds = app.state.thresholds
        sample_health(sqlite_db, thresholds)
        expected = {
            h.integration: h.status
            for h in integration_health(sqlite_db, now=SYSTEM_CLOCK.now(), thresholds=thresholds)
        }
        letter = list_dead_letters(sqlite_db)[0]

        with chromium_page(tmp_path / "screenshots") as page:
            page.goto(f"{ops.base_url}/health")
            tiles = {
                name: (
                    page.get_attribute(f'[data-integration="{name}"]', "data-status"),
                    page.eval_on_selector(
                        f'[data-integration="{name}"]',
                        "e => getComputedStyle(e).borderLeftColor",
                    ),
                    page.inner_text(f'[data-integration="{name}"] [data-figure="queue_depth"]'),
                )
                for name in expected
            }
            charts = page.locator("svg.chart polyline").count()
            page.screenshot(path=str(tmp_path / "screenshots" / "health.png"), full_page=True)

            page.click(f'a[href="/health/dead-letters/{letter.id}"]')
            heading = page.inner_text("h2")
            page.fill("#retry-token", settings.serve.ops_token)
            page.click("text=Retry now")
            notice = page.inner_text(".notice")
            still_listed = page.locator(f"#dead-letter-{letter.id}").count()
            page.screenshot(path=str(tmp_path / "screenshots" / "retried.png"), full_page=True)
    app.state.writer.close()

    assert set(expected) == set(SYSTEMS) | set(INBOUND_SYSTEMS)
    assert expected["netsuite"] == "red"
    for name, status in expected.items():
        assert tiles[name][:2] == (status, BORDER[status]), name
        assert tiles[name][2].isdigit()
    # Queue depth for every integration; sync lag for those that send.
    assert charts >= len(expected) + len(SYSTEMS)
    assert heading.startswith(f"Dead letter {letter.id}: netsuite customer")
    assert f"Dead letter {letter.id} queued again" in notice and still_listed == 0
    assert status_of(sqlite_db, letter.id) == PENDING
    with sqlite_db.read() as session:
        assert session.get(OutboxRow, letter.id) is not None
    assert (tmp_path / "screenshots" / "health.png").stat().st_size > 10_000
