"""The demo, step by step: sandbox and receiver up, faults on, a month of activity, Dagster runs,
the polling fallback, reconciliation, verdict.

Runs are real Dagster runs, executed in this process against the persistent instance in
`$DAGSTER_HOME`, so `make ui` shows them afterwards. The sandbox and the webhook receiver run as
child processes on free loopback ports and are stopped whatever happens.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg

from ez_pipelines.assets.keys import RECONCILIATION
from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.definitions import build_definitions
from ez_pipelines.demo.driver import Driver
from ez_pipelines.demo.health_view import (
    AlertSensor,
    health_entries,
    health_json,
    health_pass,
    render_health,
    slack_messages,
)
from ez_pipelines.demo.leads_demo import (
    configure_channels,
    lead_traffic,
    leads_summary,
    send_traffic,
)
from ez_pipelines.demo.payments_view import payments_summary
from ez_pipelines.demo.processes import free_port, receiver_process, sandbox_process
from ez_pipelines.demo.revenue import (
    post_month,
    revenue_ok,
    revenue_summary,
    run_parallel_run,
    write_scenario_manual_journals,
)
from ez_pipelines.demo.stage import (
    POLL_AFTER_S,
    demo_environment,
    forged_webhook,
    precreate_form_contacts,
    prepare_home,
    switch_faults_on,
    webhooks_in_flight,
)
from ez_pipelines.demo.summary import IntegrationSummary, render_table, write_summary
from ez_pipelines.demo.vendor_view import checkout_view, hubspot_view, netsuite_view
from ez_pipelines.ops.logs import configure_logging
from ez_pipelines.ops.metrics import outbound_stats
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.payments.reconcile import payment_days
from ez_pipelines.sandbox.scenario import generate_month
from ez_pipelines.sandbox.scenario_apply import PhaseReport, apply_phase
from ez_pipelines.sandbox.scenario_payments import apply_payments, plan_payments
from ez_pipelines.settings import Settings
from ez_pipelines.vendors.registry import SYSTEMS

log = logging.getLogger(__name__)
Echo = Callable[[str], None]


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 7
    customers: int = 600
    month: date = date(2026, 11, 1)
    error_rate: float = 0.10
    timeout_after_commit_rate: float = 0.05
    webhook_drop_rate: float = 0.10
    webhook_duplicate_rate: float = 0.20
    read_timeout_s: float = 2.0
    deadline_s: float = 600.0
    lead_prospects: int = 200


def _echo_phase(echo: Echo, report: PhaseReport, payments: tuple[int, int]) -> None:
    echo(f"phase {report.phase} written:")
    for line in report.lines():
        echo(f"  {line}")
    echo(f"  payments: {payments[0]} asked of Checkout.com, {payments[1]} refunds")


def _reconcile(driver: Driver, db: Database) -> int:
    """Reconcile every Dubai day that has payments; returns the gaps found."""
    gaps = 0
    for day in payment_days(db):
        result = driver.materialize_partition(RECONCILIATION, day)
        found = [
            event.materialization.metadata["gaps"].value
            for event in result.get_asset_materialization_events()
        ]
        # A day that could not be reconciled at all counts as a gap: nothing vouches for it.
        gaps += sum(n for n in found if isinstance(n, int)) if found else 1
    return gaps


def run_demo(options: DemoOptions, *, home: Path, echo: Echo) -> bool:
    """Run the whole demo; True when every vendor holds exactly our records, once."""
    url = prepare_home(home)
    sandbox_port, receiver_port = free_port(), free_port()
    os.environ.update(demo_environment(url, sandbox_port, options))
    os.environ["EZ_MANUAL_JOURNALS_CSV"] = str(home / "manual-journals.csv")
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
    planted = write_scenario_manual_journals(scenario, settings, home / "manual-journals.csv")
    env = dict(os.environ)

    with (
        sandbox_process(sandbox_port, env) as sandbox,
        receiver_process(receiver_port, env, home / "logs" / "receiver.log") as webhook_url,
        dg.DagsterInstance.get() as instance,
    ):
        forms = [
            {"email": c.email, "firstname": c.given_name, "lastname": c.family_name}
            for c in scenario.form_contacts
        ]
        echo(
            f"sandbox on 127.0.0.1:{sandbox_port}, webhook receiver on 127.0.0.1:{receiver_port}; "
            f"{precreate_form_contacts(settings, forms)} HubSpot contacts already exist from "
            "web forms"
        )
        switch_faults_on(sandbox, settings, webhook_url, options)
        echo(
            f"faults on: {options.error_rate:.0%} 5xx, "
            f"{options.timeout_after_commit_rate:.0%} timeouts after commit; webhooks "
            f"{options.webhook_drop_rate:.0%} dropped, {options.webhook_duplicate_rate:.0%} "
            "duplicated, reordered"
        )
        defs = build_definitions(settings)
        driver = Driver(defs, instance, echo)
        busy = webhooks_in_flight(sandbox)
        alerts = AlertSensor(defs, instance)

        for phase in (1, 2):
            now = SYSTEM_CLOCK.now()
            report = apply_phase(db, scenario, phase, now=now)
            payments = apply_payments(db, plan_payments(scenario, phase), now=now)
            _echo_phase(echo, report, payments)
            driver.run_job("finance_documents")
            if phase == 1:
                driver.run_job("sync_all")
            driver.until_quiet(db, deadline=deadline, busy=busy)
            if phase == 1:
                forged_webhook(webhook_url, echo)
            echo(f"health after phase {phase}:")
            health_pass(driver.run_job, alerts, echo)

        traffic = lead_traffic(scenario, options.lead_prospects)
        configure_channels(sandbox, settings, webhook_url.rsplit("/webhooks/", 1)[0])
        sent = send_traffic(sandbox.base_url, traffic)
        echo(
            f"leads: {traffic.prospects} prospects wrote {len(traffic.forms)} forms, "
            f"{len(traffic.chats)} chat messages and {len(traffic.whatsapp)} WhatsApp messages "
            f"(answers {dict(sorted(sent.items()))})"
        )
        driver.until_quiet(db, deadline=deadline, busy=busy)

        # Webhooks that were dropped never come: the polling fallback finds what they carried.
        time.sleep(POLL_AFTER_S)
        echo("polling Checkout.com for payments whose webhooks went quiet:")
        driver.run_job("checkout_payment_polling")
        driver.until_quiet(db, deadline=deadline, busy=busy)
        # Refunds Checkout.com has confirmed by now become credit notes, before the month posts.
        driver.run_job("finance_documents")
        driver.until_quiet(db, deadline=deadline, busy=busy)
        echo("reconciling payments per Dubai day:")
        gaps = _reconcile(driver, db)
        echo(f"posting {options.month:%B}'s revenue, one Dubai day per partition:")
        failed_days = post_month(driver, options.month)
        driver.until_quiet(db, deadline=time.monotonic() + 180, busy=busy)
        revenue = revenue_summary(
            db,
            sandbox,
            options.month,
            failed_partitions=failed_days,
            parallel=run_parallel_run(driver),
            planted=planted,
        )
        echo("health, once everything has settled:")
        health_pass(driver.run_job, alerts, echo)
        healths = health_entries(db, Thresholds.from_settings(settings.health), SYSTEM_CLOCK.now())
        slack = slack_messages(sandbox)

        summaries = [
            IntegrationSummary(netsuite_view(db, sandbox), outbound_stats(db, "netsuite")),
            IntegrationSummary(
                hubspot_view(db, sandbox, key_property=settings.hubspot.key_property),
                outbound_stats(db, "hubspot"),
            ),
            IntegrationSummary(checkout_view(db, sandbox), outbound_stats(db, "checkout")),
        ]
        injected = {name: sandbox.stats(name)["faults_injected"] for name in SYSTEMS}
        webhooks = sandbox.stats("checkout")["webhooks"]
        leads_figures = leads_summary(db, sandbox)
        payments_figures = payments_summary(
            db,
            acknowledged_deliveries=int(webhooks["acknowledged"]),
            reconciliation_gaps=gaps,
        )

    echo("")
    echo(render_table(summaries))
    echo("")
    echo("payments: " + ", ".join(f"{k} {v}" for k, v in payments_figures.items()))
    echo("leads: " + ", ".join(f"{k} {v}" for k, v in leads_figures.items() if k != "webhooks"))
    echo("revenue: " + ", ".join(f"{k} {v}" for k, v in revenue.items() if not isinstance(v, list)))
    echo("")
    echo(render_health(healths))
    echo(f"\nSlack received {len(slack)} messages:")
    for message in slack:
        echo("  " + message.replace("\n", "\n  "))
    path = home / "demo-summary.json"
    extra = {
        "faults_injected": injected,
        "seed": options.seed,
        "payments": payments_figures,
        "leads": leads_figures,
        "revenue": revenue,
        "webhooks_sent": webhooks,
        "health": health_json(healths),
        "slack_messages": slack,
    }
    also = gaps == 0 and leads_figures["ok"] and revenue_ok(revenue)
    ok = write_summary(path, summaries, extra, also=also)
    echo(f"\nwrote {path}: ok={str(ok).lower()}")
    db.dispose()
    return ok
