"""`ez-pipelines migrate`: bring the canonical store to the newest schema."""

from __future__ import annotations

import click

from ez_pipelines.canonical import migrate
from ez_pipelines.cli.root import main, settings_of


@main.command("migrate")
@click.pass_context
def migrate_command(ctx: click.Context) -> None:
    """Apply every Alembic migration the database does not have yet."""
    settings = settings_of(ctx)
    migrate.upgrade(settings.database_url)
    click.echo(f"database at migration {migrate.current_revision(settings.database_url)}")
