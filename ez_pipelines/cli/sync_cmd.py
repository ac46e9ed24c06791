"""`ez-pipelines sync`: drain the outbox from the command line, or show what a sync would do."""

from __future__ import annotations

import click
from tabulate import tabulate

from ez_pipelines.cli.root import main, open_db, settings_of
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.plan import plan_sync, summarise
from ez_pipelines.vendors.registry import SYSTEMS, open_projections

_SAMPLE = 10


@main.command("sync")
@click.option("--system", type=click.Choice(["all", *SYSTEMS]), default="all", show_default=True)
@click.option("--dry-run", is_flag=True, help="Print what would change; call no vendor.")
@click.option("--max-seconds", type=float, default=120.0, show_default=True)
@click.pass_context
def sync_command(ctx: click.Context, system: str, dry_run: bool, max_seconds: float) -> None:
    """Send every due outbox row to its vendor (the sensor does this in production)."""
    settings = settings_of(ctx)
    db = open_db(ctx)
    with open_projections(settings) as projections:
        for projection in projections:
            if system not in ("all", projection.system):
                continue
            name = projection.system
            if dry_run:
                changes = plan_sync(db, projection)
                counts = summarise(changes)
                click.echo(f"{name}/{projection.entity} (dry run, nothing sent):")
                click.echo(tabulate([list(counts.values())], headers=list(counts)))
                for action in ("create", "update"):
                    ids = [c.record_id for c in changes if c.action == action][:_SAMPLE]
                    if ids:
                        click.echo(f"  would {action}: {', '.join(ids)}")
                continue
            dispatcher = Dispatcher(
                db,
                projection,
                policy=RetryPolicy.from_settings(settings.retry),
                batch_size=settings.outbox_batch,
                lease_s=settings.outbox_lease_s,
            )
            report = dispatcher.drain(max_seconds=max_seconds)
            click.echo(f"{name}/{projection.entity}: {report.as_metadata()}")
