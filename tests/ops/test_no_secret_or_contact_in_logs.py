"""The demo, as `make demo` runs it but smaller, with a known value for every secret setting:
syncs with faults and retries, forged and duplicated webhooks from every channel, lead traffic,
Dagster runs and Slack alerts. No secret, and no phone number or email address unmasked,
appears anywhere in what was logged: the demo's log file, the receiver's, the console (the
sandbox's and the receiver's output included), or Dagster's event log."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from ez_pipelines.canonical.contact_points import parse_phone
from ez_pipelines.demo.leads_demo import lead_traffic
from ez_pipelines.demo.runner import DemoOptions, run_demo
from ez_pipelines.sandbox.scenario import generate_month
from ez_pipelines.settings import SETTINGS

KNOWN = {s.name: f"KNOWN-{s.name.lower().replace('_', '-')}-9f2c41" for s in SETTINGS if s.secret}
OPTIONS = DemoOptions(customers=40, lead_prospects=20, deadline_s=300.0)
EVENTS = (
    "sync batch system=",
    "retry scheduled system=",
    "webhook rejected system=checkout status=401",
    "alert posted key=",
)


@pytest.fixture
def demo_environment(tmp_path: Path) -> Iterator[Path]:
    """Known secrets in the environment, and the environment and logging put back afterwards
    (the demo points its settings at its own processes through the environment)."""
    saved_environment = dict(os.environ)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    os.environ.update(KNOWN)
    os.environ["DAGSTER_HOME"] = str(tmp_path / "home" / "dagster")
    try:
        yield tmp_path / "home"
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)


def contact_points() -> tuple[set[str], set[str]]:
    """Every email and phone number the demo's scenario and lead traffic carry, phones also as
    E.164 with and without the plus."""
    scenario = generate_month(OPTIONS.seed, OPTIONS.month, OPTIONS.customers)
    traffic = lead_traffic(scenario, OPTIONS.lead_prospects)
    emails = {c.email.strip() for c in scenario.final_customers() if c.email}
    emails |= {f.email.strip() for f in traffic.forms if f.email}
    phones = {c.phone for c in scenario.final_customers() if c.phone}
    phones |= {f.phone for f in traffic.forms if f.phone} | {m.wa_id for m in traffic.whatsapp}
    e164 = {parse_phone(p, "AE").e164 for p in phones if _parses(p)}
    return emails, phones | e164 | {number.lstrip("+") for number in e164}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_demo_logs_no_secret_and_no_unmasked_contact_point(
    demo_environment: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    home = demo_environment
    echoed: list[str] = []

    run_demo(OPTIONS, home=home, echo=echoed.append)

    with dg.DagsterInstance.get() as instance:
        dagster_events = "\n".join(
            f"{e.user_message} {e.dagster_event!r}"
            for run in instance.get_runs()
            for e in instance.all_logs(run.run_id)
        )
    logging.shutdown()
    captured = capfd.readouterr()
    logged = "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted((home / "logs").glob("*.log"))
    )
    summary = (home / "demo-summary.json").read_text(encoding="utf-8")
    everything = "\n".join(
        [logged, captured.out, captured.err, dagster_events, "\n".join(echoed), summary]
    )

    for event in EVENTS:
        assert event in logged, f"no {event!r} line was logged"
    assert dagster_events and "Slack received" in "\n".join(echoed)
    assert [name for name, value in KNOWN.items() if value in everything] == []
    emails, phones = contact_points()
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
