"""`ez-pipelines sandbox seed`: write a generated month of rentals into the canonical store."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from ez_pipelines.cli.root import open_db
from ez_pipelines.cli.sandbox_cmd import sandbox
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.sandbox.scenario import (
    PhaseOutOfOrder,
    apply_phase,
    export_csv,
    generate_month,
)
from ez_pipelines.sandbox.scenario_rentals import DUBAI


def _month(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date:
    if value is None:
        return SYSTEM_CLOCK.now().astimezone(DUBAI).date().replace(day=1)
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month written YYYY-MM") from None


@sandbox.command("seed")
@click.option("--seed", "seed", type=int, default=1, show_default=True, help="Generator seed.")
@click.option(
    "--month", callback=_month, help="Month of activity, YYYY-MM [default: this month in Dubai]."
)
@click.option("--customers", type=click.IntRange(min=2), default=600, show_default=True)
@click.option(
    "--phase",
    type=click.Choice(["1", "2", "all"]),
    default="all",
    show_default=True,
    help="Phase 1 is the month's first half; phase 2 the rest, and changes to what phase 1 wrote.",
)
@click.option(
    "--export-csv",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the month as import files into this folder.",
)
@click.pass_context
def seed_command(
    ctx: click.Context,
    seed: int,
    month: date,
    customers: int,
    phase: str,
    export_dir: Path | None,
) -> None:
    """Write a deterministic month of customers, bookings and their changes.

    The same seed and month always give the same records. Writing a phase again changes
    nothing, but phase 1 written after phase 2 takes the store back to the middle of the month.
    """
    scenario = generate_month(seed, month, customers)
    db = open_db(ctx)
    try:
        for number in (1, 2) if phase == "all" else (int(phase),):
            try:
                report = apply_phase(db, scenario, number, now=SYSTEM_CLOCK.now())
            except PhaseOutOfOrder as err:
                raise click.ClickException(
                    f"{err} (the same --seed, --month and --customers)"
                ) from err
            click.echo(f"phase {number} of {month:%Y-%m} (seed {seed}):")
            for line in report.lines():
                click.echo(f"  {line}")
    finally:
        db.dispose()
    if export_dir is not None:
        for path in export_csv(scenario, export_dir):
            click.echo(f"wrote {path}")
