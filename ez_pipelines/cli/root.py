"""The `ez-pipelines` command group and what its commands share."""

from __future__ import annotations

import logging

import click

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.logs import configure_logging
from ez_pipelines.settings import Settings


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG instead of INFO.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """ez-pipelines: the car-rental integration platform."""
    settings = Settings.from_env()
    configure_logging(logging.DEBUG if verbose else logging.INFO, secrets=settings.secrets())
    ctx.obj = settings


def settings_of(ctx: click.Context) -> Settings:
    settings: Settings = ctx.find_root().obj
    return settings


def open_db(ctx: click.Context) -> Database:
    """The canonical store, refusing to run on a schema older than the code."""
    settings = settings_of(ctx)
    current = migrate.current_revision(settings.database_url)
    head = migrate.head_revision()
    if current != head:
        raise click.ClickException(
            f"the database is at migration {current or 'none'}, the code expects {head}: "
            "run `ez-pipelines migrate`"
        )
    return Database.from_url(settings.database_url)
