"""A demo-sized run with known secret values: syncs with faults, retries, dead letters, webhooks
(one of them rejected), Dagster runs and a Slack alert. No secret, and no phone number or email
address unmasked, appears anywhere in what was logged: our log file, the console, or Dagster's
event log."""

from __future__ import annotations

import logging
from pathlib import Path

import dagster as dg
import pytest
import requests

from ez_pipelines.assets.health import integration_health_asset
from ez_pipelines.canonical.contact_points import parse_phone
from ez_pipelines.canonical.db import Database
from ez_pipelines.definitions import build_definitions
from ez_pipelines.ops.logs import configure_logging
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import SETTINGS
from tests.browser.scenario import make_dead_letters, run_month_slice, settings_for
from tests.cases.alerting import tick

KNOWN = {s.name: f"KNOWN-{s.name.lower().replace('_', '-')}-9f2c41" for s in SETTINGS if s.secret}
EVENTS = (
    "sync batch system=",
    "retry scheduled system=",
    "dead letter system=",
    "webhook rejected system=checkout status=401",
    "alert posted key=",
)


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)


@pytest.mark.slow
def test_a_run_logs_no_secret_and_no_unmasked_contact_point(
    sqlite_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    restore_logging: object,
) -> None:
    for name, value in KNOWN.items():
        monkeypatch.setenv(name, value)
    log_file = tmp_path / "run.log"
    with BackgroundServer(create_app()) as sandbox:
        settings = settings_for(tmp_path, sqlite_db, sandbox.base_url)
        assert settings.netsuite.token_secret == KNOWN["EZ_NETSUITE_TOKEN_SECRET"]
        configure_logging(logging.INFO, secrets=settings.secrets(), file=log_file)
        client = SandboxClient(sandbox.base_url)
        app = create_ops_app(settings, sqlite_db)
        with BackgroundServer(app) as ops, dg.instance_for_test() as instance:
            webhook_url = f"{ops.base_url}/webhooks/checkout"
            client.configure(
                "checkout", webhook_url=webhook_url, webhook_secret=settings.checkout.webhook_secret
            )
            client.set_faults("netsuite", error_rate=0.2, seed=3)
            scenario = run_month_slice(sqlite_db, settings, customers=60)
            client.set_faults("netsuite")
            make_dead_letters(sqlite_db, settings, client, count=2)
            requests.post(webhook_url, data=b'{"id": "evt_x"}', timeout=5)
            # A careless line, as a vendor's error text could carry: it must reach the file
            # masked, which proves the masking sits on every handler of this run.
            first = scenario.final_customers()[0]
            logging.getLogger("ez_pipelines.vendors").warning(
                "vendor echoed %s %s %s", KNOWN["EZ_HUBSPOT_TOKEN"], first.email, first.phone
            )

            defs = build_definitions(settings)
            for job in ("sync_all", "integration_health"):
                defs.resolve_job_def(job).execute_in_process(instance=instance)
            tick(instance, dict(defs.resources or {}), [integration_health_asset])
            dagster_events = "\n".join(
                f"{e.user_message} {e.dagster_event!r}"
                for run in instance.get_runs()
                for e in instance.all_logs(run.run_id)
            )
            slack = client.records("slack")["messages"]
        app.state.writer.close()
        client.close()

    logging.shutdown()
    captured = capfd.readouterr()
    logged = log_file.read_text(encoding="utf-8")
    everything = "\n".join([logged, captured.out, captured.err, dagster_events])

    for event in (*EVENTS, "vendor echoed *** "):
        assert event in logged, f"no {event!r} line was logged"
    assert slack, "the run should have alerted about its dead letters"
    leaked = [name for name, value in KNOWN.items() if value in everything]
    assert leaked == []

    customers = scenario.final_customers()
    emails = {c.email.strip() for c in customers if c.email}
    phones = {c.phone for c in customers if c.phone}
    e164 = {parse_phone(p, "AE").e164 for p in phones if _parses(p)}
    phones |= e164 | {number.lstrip("+") for number in e164}
    lowered = everything.lower()
    assert len(emails) > 10 and len(phones) > 10
    assert [e for e in emails if e.lower() in lowered] == []
    assert [p for p in phones if p in everything] == []


def _parses(phone: str) -> bool:
    try:
        parse_phone(phone, "AE")
    except ValueError:
        return False
    return True
