"""`ez-pipelines demo`: what `make demo` runs."""

from __future__ import annotations

import sys
from datetime import date

import click

from ez_pipelines.cli.root import main, settings_of


@main.command("demo")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--customers", type=int, default=600, show_default=True)
@click.option("--month", default="2026-11", show_default=True, help="YYYY-MM of the scenario.")
@click.option("--error-rate", type=float, default=0.10, show_default=True, help="Vendor 5xx rate.")
@click.option(
    "--timeout-after-commit-rate",
    type=float,
    default=0.05,
    show_default=True,
    help="Rate of vendor writes that commit and then time out.",
)
@click.pass_context
def demo_command(
    ctx: click.Context,
    seed: int,
    customers: int,
    month: str,
    error_rate: float,
    timeout_after_commit_rate: float,
) -> None:
    """Sync a month of car-rental activity into the vendor stand-ins with faults on.

    Starts from an empty store (it replaces the SQLite database under EZ_HOME), starts the
    sandbox on a free loopback port, and exits 0 only when every vendor holds exactly our
    records, each once.
    """
    # Dagster is imported only when the demo runs, so the other commands start quickly.
    from ez_pipelines.demo.runner import DemoOptions, run_demo

    year, month_number = (int(part) for part in month.split("-"))
    options = DemoOptions(
        seed=seed,
        customers=customers,
        month=date(year, month_number, 1),
        error_rate=error_rate,
        timeout_after_commit_rate=timeout_after_commit_rate,
    )
    ok = run_demo(options, home=settings_of(ctx).home, echo=click.echo)
    sys.exit(0 if ok else 1)
