"""`ez-pipelines import FILE...`: load customers, vehicles and bookings from CSV files."""

from __future__ import annotations

from pathlib import Path

import click

from ez_pipelines.canonical.importer import ImportRefused, import_files
from ez_pipelines.cli.root import main, open_db, settings_of
from ez_pipelines.clock import SYSTEM_CLOCK


@main.command("import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--timezone",
    default="Asia/Dubai",
    show_default=True,
    help="Zone of date-times written without an offset.",
)
@click.option(
    "--region", help="Region of phone numbers without a country code [EZ_DEFAULT_REGION]."
)
@click.pass_context
def import_command(
    ctx: click.Context, files: tuple[Path, ...], timezone: str, region: str | None
) -> None:
    """Import CSV files, each recognised by its header row, in dependency order.

    Good rows are kept even when others are rejected; the command then exits with status 1.
    """
    db = open_db(ctx)
    try:
        report = import_files(
            db,
            files,
            now=SYSTEM_CLOCK.now(),
            default_region=region or settings_of(ctx).default_region,
            timezone=timezone,
        )
    except ImportRefused as err:
        raise click.ClickException(str(err)) from err
    finally:
        db.dispose()
    for file_report in report.files:
        click.echo(file_report.summary())
        for rejection in file_report.rejections:
            click.echo(f"  {rejection}")
    if report.rejections:
        click.echo(f"rejected rows: {len(report.rejections)}, kept in import_rejections")
        ctx.exit(1)
