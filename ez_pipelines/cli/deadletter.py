"""`ez-pipelines deadletter list|show|retry|discard`: the queue a person works through."""

from __future__ import annotations

from datetime import datetime

import click
from tabulate import tabulate

from ez_pipelines.cli.root import main, open_db
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.deadletters import (
    DeadLetterNotFound,
    discard_dead_letters,
    list_dead_letters,
    retry_dead_letters,
    show_dead_letter,
)


def _when(instant: datetime | None) -> str:
    return f"{instant:%Y-%m-%d %H:%M:%S}" if instant else ""


@main.group()
def deadletter() -> None:
    """Syncs that failed for good and wait for a person."""


@deadletter.command("list")
@click.option("--system", help="Only this system (netsuite, hubspot, ...).")
@click.pass_context
def list_command(ctx: click.Context, system: str | None) -> None:
    letters = list_dead_letters(open_db(ctx), system=system)
    if not letters:
        click.echo("no dead letters")
        return
    rows = [
        (d.id, d.system, d.entity, d.record_id, d.attempts, _when(d.dead_at), d.reason[:60])
        for d in letters
    ]
    headers = ("id", "system", "entity", "record", "attempts", "dead at (UTC)", "reason")
    click.echo(tabulate(rows, headers=headers))


@deadletter.command("show")
@click.argument("outbox_id", type=int)
@click.pass_context
def show_command(ctx: click.Context, outbox_id: int) -> None:
    try:
        letter, attempts = show_dead_letter(open_db(ctx), outbox_id)
    except DeadLetterNotFound as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"dead letter {letter.id}: {letter.system} {letter.entity} {letter.record_id}")
    click.echo(f"queued {letter.enqueued_at:%Y-%m-%d %H:%M:%S} UTC, {letter.attempts} attempts")
    click.echo(f"reason: {letter.reason}")
    click.echo(f"payload: {letter.payload or '(none sent)'}")
    rows = [
        (a.attempt, _when(a.at), a.kind, a.error_type, a.http_status or "", a.message)
        for a in attempts
    ]
    click.echo(tabulate(rows, headers=("#", "at (UTC)", "kind", "error", "http", "message")))


@deadletter.command("retry")
@click.argument("outbox_ids", type=int, nargs=-1, required=True)
@click.pass_context
def retry_command(ctx: click.Context, outbox_ids: tuple[int, ...]) -> None:
    """Queue dead letters again, due now, with a fresh retry budget."""
    try:
        retried = retry_dead_letters(open_db(ctx), outbox_ids, now=SYSTEM_CLOCK.now())
    except DeadLetterNotFound as err:
        raise click.ClickException(str(err)) from err
    for item in retried:
        if item.queued_as == item.dead_letter_id:
            click.echo(f"dead letter {item.dead_letter_id} queued again")
        else:
            click.echo(
                f"dead letter {item.dead_letter_id} folded into row {item.queued_as}, "
                "which carries a newer change of the record"
            )


@deadletter.command("discard")
@click.argument("outbox_ids", type=int, nargs=-1, required=True)
@click.option("--reason", required=True, help="Why the sync is no longer wanted (kept on the row).")
@click.pass_context
def discard_command(ctx: click.Context, outbox_ids: tuple[int, ...], reason: str) -> None:
    try:
        discarded = discard_dead_letters(open_db(ctx), outbox_ids, reason=reason)
    except DeadLetterNotFound as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"discarded: {', '.join(map(str, discarded))}")
