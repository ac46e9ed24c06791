"""The demo, step by step: sandbox up, faults on, a month of activity, Dagster runs, verdict.

Runs are real Dagster runs, executed in this process against the persistent instance in
`$DAGSTER_HOME`, so `make ui` shows them afterwards. The sandbox runs as a child process on a free
loopback port and is stopped whatever happens.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import requests

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.definitions import build_definitions
from ez_pipelines.demo.summary import IntegrationSummary, render_table, write_summary
from ez_pipelines.demo.vendor_view import hubspot_view, netsuite_view
from ez_pipelines.ops.logs import configure_logging
from ez_pipelines.ops.metrics import outbound_stats, queue_status
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.scenario import generate_month
from ez_pipelines.sandbox.scenario_apply import PhaseReport, apply_phase
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.registry import SYSTEMS

log = logging.getLogger(__name__)
Echo = Callable[[str], None]
# Dagster's console logger prints every event at DEBUG; the demo prints its own progress.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    customers: int = 600
    month: date = date(2026, 11, 1)
    error_rate: float = 0.10
    timeout_after_commit_rate: float = 0.05
    read_timeout_s: float = 2.0
    deadline_s: float = 600.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def sandbox_process(port: int, env: dict[str, str]) -> Iterator[SandboxClient]:
    command = [sys.executable, "-m", "ez_pipelines", "sandbox", "serve", "--quiet"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env)
    client = SandboxClient(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.overview()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.2)
        yield client
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _prepare_home(home: Path) -> str:
    """A fresh demo database under `home`, and Dagster's storage beside it."""
    home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (home / f"ez.db{suffix}").unlink(missing_ok=True)
    (home / "logs" / "demo.log").unlink(missing_ok=True)
    dagster_home = Path(os.environ.setdefault("DAGSTER_HOME", str(home / "dagster")))
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return f"sqlite:///{home / 'ez.db'}"


def _demo_environment(url: str, port: int, options: DemoOptions) -> dict[str, str]:
    base = f"http://127.0.0.1:{port}"
    return {
        "EZ_DATABASE_URL": url,
        "EZ_NETSUITE_BASE_URL": f"{base}/netsuite/services/rest",
        "EZ_HUBSPOT_BASE_URL": f"{base}/hubspot",
        "EZ_HTTP_READ_TIMEOUT_S": str(options.read_timeout_s),
        "EZ_RETRY_BASE_S": "0.5",
        "EZ_RETRY_CAP_S": "8",
        "EZ_SYNC_DRAIN_S": "60",
    }


def _precreate_form_contacts(settings: Settings, scenario_contacts: list[dict[str, str]]) -> int:
    """Contacts a web form left in HubSpot before our first sync, through HubSpot's own API."""
    with HubSpotClient(settings.hubspot, timeout=settings.timeout) as client:
        for properties in scenario_contacts:
            client.create_contact(properties)
    return len(scenario_contacts)


def _run_job(defs: dg.Definitions, instance: dg.DagsterInstance, echo: Echo) -> None:
    result = defs.resolve_job_def("sync_all").execute_in_process(
        instance=instance, tags={"ez/started_by": "demo"}, run_config=QUIET
    )
    echo(f"  run {result.run_id[:8]} of job sync_all: {'success' if result.success else 'FAILED'}")


def _tick_until_drained(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    db: Database,
    *,
    deadline: float,
    echo: Echo,
) -> None:
    """Evaluate the outbox sensor like the daemon does and execute each run it requests."""
    sensor = defs.resolve_sensor_def("outbox_due_rows")
    job = defs.resolve_implicit_global_asset_job_def()
    resources = {"database": defs.resources["database"]} if defs.resources else {}
    cursor: str | None = None
    while time.monotonic() < deadline:
        with dg.build_sensor_context(
            instance=instance, cursor=cursor, resources=resources, definitions=defs
        ) as context:
            result = sensor(context)
        if not isinstance(result, dg.SensorResult):
            raise TypeError(f"the outbox sensor returned {type(result).__name__}")
        cursor = result.cursor
        for request in result.run_requests or []:
            run = job.execute_in_process(
                instance=instance,
                asset_selection=request.asset_selection,
                tags=request.tags,
                run_config=QUIET,
            )
            echo(
                f"  sensor run {run.run_id[:8]} for {request.tags.get('ez/projection')}: "
                f"{'success' if run.success else 'FAILED'}"
            )
        if result.run_requests:
            continue
        statuses = queue_status(db, now=SYSTEM_CLOCK.now()).values()
        open_rows = [s for s in statuses if s.due + s.in_flight + s.waiting_retry > 0]
        if not open_rows:
            return
        next_due = min((s.next_due_at for s in open_rows if s.next_due_at), default=None)
        wait = (next_due - SYSTEM_CLOCK.now()).total_seconds() if next_due else 1.0
        time.sleep(min(max(wait, 0.2), 5.0))
    echo("  deadline reached with rows still open")


def _echo_phase(echo: Echo, report: PhaseReport) -> None:
    echo(f"phase {report.phase} written:")
    for line in report.lines():
        echo(f"  {line}")


def run_demo(options: DemoOptions, *, home: Path, echo: Echo) -> bool:
    """Run the whole demo; True when every vendor holds exactly our records, once."""
    url = _prepare_home(home)
    port = free_port()
    os.environ.update(_demo_environment(url, port, options))
    settings = Settings.from_env()
    log_file = home / "logs" / "demo.log"
    configure_logging(
        logging.INFO, secrets=settings.secrets(), file=log_file, console_level=logging.WARNING
    )
    echo(f"logging to {log_file}")
    migrate.upgrade(url)
    db = Database.from_url(url)
    deadline = time.monotonic() + options.deadline_s
    scenario = generate_month(options.seed, options.month, options.customers)
    echo(f"scenario: seed {options.seed}, {options.month:%B %Y}, {options.customers} customers")

    with sandbox_process(port, dict(os.environ)) as sandbox, dg.DagsterInstance.get() as instance:
        forms = [
            {"email": c.email, "firstname": c.given_name, "lastname": c.family_name}
            for c in scenario.form_contacts
        ]
        echo(
            f"sandbox on 127.0.0.1:{port}; {_precreate_form_contacts(settings, forms)} "
            "HubSpot contacts already exist from web forms"
        )
        for name in SYSTEMS:
            sandbox.set_faults(
                name,
                error_rate=options.error_rate,
                timeout_after_commit_rate=options.timeout_after_commit_rate,
                hang_s=options.read_timeout_s + 1.0,
                seed=options.seed,
            )
        echo(
            f"faults on: {options.error_rate:.0%} 5xx, "
            f"{options.timeout_after_commit_rate:.0%} timeouts after commit"
        )
        defs = build_definitions(settings)

        _echo_phase(echo, apply_phase(db, scenario, 1, now=SYSTEM_CLOCK.now()))
        _run_job(defs, instance, echo)
        _echo_phase(echo, apply_phase(db, scenario, 2, now=SYSTEM_CLOCK.now()))
        _tick_until_drained(defs, instance, db, deadline=deadline, echo=echo)

        summaries = [
            IntegrationSummary(netsuite_view(db, sandbox), outbound_stats(db, "netsuite")),
            IntegrationSummary(
                hubspot_view(db, sandbox, key_property=settings.hubspot.key_property),
                outbound_stats(db, "hubspot"),
            ),
        ]
        injected = {
            name: sandbox.stats(name)["faults_injected"] for name in ("netsuite", "hubspot")
        }

    echo("")
    echo(render_table(summaries))
    path = home / "demo-summary.json"
    ok = write_summary(path, summaries, {"faults_injected": injected, "seed": options.seed})
    echo(f"\nwrote {path}: ok={str(ok).lower()}")
    db.dispose()
    return ok
