"""The Dagster UI on the project's definitions, in the same headless Chromium: the asset lineage
shows every group, and the health asset shows its checks with a result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import requests
from playwright.sync_api import Page

from ez_pipelines.assets.keys import INTEGRATION_HEALTH
from ez_pipelines.canonical import migrate
from ez_pipelines.definitions import build_definitions
from ez_pipelines.demo.processes import free_port
from ez_pipelines.settings import Settings
from tests.browser.scenario import chromium_page

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 120


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store and a Dagster instance of their own, holding one run of the health checks."""
    home = tmp_path / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("EZ_HOME", str(tmp_path))
    monkeypatch.delenv("EZ_DATABASE_URL", raising=False)
    settings = Settings.from_env()
    migrate.upgrade(settings.database_url)
    with dg.DagsterInstance.get() as instance:
        job = build_definitions(settings).resolve_job_def("integration_health")
        assert job.execute_in_process(instance=instance).success
    return home


@pytest.fixture
def webserver(dagster_home: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "dagster_webserver", "-w", str(ROOT / "workspace.yaml"),
        "-h", "127.0.0.1", "-p", str(port),
    ]  # fmt: skip
    log = (tmp_path / "webserver.log").open("wb")
    process = subprocess.Popen(
        command, cwd=ROOT, env=dict(os.environ), stdout=log, stderr=log, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                requests.get(f"{base}/server_info", timeout=2).raise_for_status()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        "dagster-webserver did not start: "
                        + (tmp_path / "webserver.log").read_text(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.5)
        yield base
    finally:
        # The webserver runs the code server as its child: stop the whole group.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _skip_welcome(page: Page) -> None:
    skip = page.get_by_role("button", name="Skip")
    if skip.count():
        skip.first.click()


def groups_and_health_checks() -> tuple[list[str], list[str]]:
    """The asset groups and the health asset's checks, as the project's definitions make them."""
    graph = build_definitions(Settings.from_env({})).resolve_asset_graph()
    groups = sorted({graph.get(key).group_name or "default" for key in graph.get_all_asset_keys()})
    checks = sorted(
        key.name for key in graph.asset_check_keys if key.asset_key == INTEGRATION_HEALTH
    )
    return groups, checks


@pytest.mark.slow
def test_the_ui_shows_the_asset_groups_and_a_health_check_result(
    webserver: str, tmp_path: Path
) -> None:
    groups, checks = groups_and_health_checks()
    with chromium_page(tmp_path / "screenshots") as page:
        page.goto(f"{webserver}/asset-groups", wait_until="networkidle", timeout=90_000)
        for group in groups:
            page.get_by_text(group, exact=True).first.wait_for(timeout=60_000)
        _skip_welcome(page)
        page.screenshot(path=str(tmp_path / "screenshots" / "lineage.png"))

        page.goto(
            f"{webserver}/assets/ops/integration_health?view=checks",
            wait_until="networkidle",
            timeout=90_000,
        )
        page.get_by_text("netsuite_no_dead_letters").first.wait_for(timeout=60_000)
        _skip_welcome(page)
        body = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "screenshots" / "checks.png"))

    assert {"canonical", "finance", "leads", "ops", "payments"} <= set(groups)
    assert len(checks) > 10 and "netsuite_no_dead_letters" in checks
    assert f"Checks ({len(checks)})" in body
    assert "Succeeded" in body
    # The first check, selected, with its latest result in its own words.
    assert checks[0] == "checkout_error_rate"
    assert "checkout: error rate in the last hour 0% (threshold 20%)" in body
