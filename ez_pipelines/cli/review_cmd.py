"""`ez-pipelines review list|show|merge|split|distinct`: the lead questions a person answers.

An answer is stored in the same transaction that unifies every lead again, so the leads (and what
HubSpot is sent) reflect it now, every later unification applies it too, and an answer that
cannot be applied is not kept.
"""

from __future__ import annotations

import getpass

import click
from sqlalchemy.orm import Session
from tabulate import tabulate

from ez_pipelines.cli.root import main, open_db
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.leads.review import AlreadyDecided, ReviewNotFound, decide, split_records
from ez_pipelines.leads.review_views import Side, list_items, show_item
from ez_pipelines.leads.unify import unify_leads

_BY = click.option("--by", default=getpass.getuser, show_default="the login name",
                   help="Who decides, kept with the decision.")  # fmt: skip


@main.group()
def review() -> None:
    """Pairs of lead records the matcher could not decide, waiting for a person."""


@review.command("list")
@click.option("--all", "show_all", is_flag=True, help="Answered and settled items too.")
@click.pass_context
def list_command(ctx: click.Context, show_all: bool) -> None:
    items = list_items(open_db(ctx), only_open=not show_all)
    if not items:
        click.echo("no review items" if show_all else "no open review items")
        return
    rows = [
        (i.id, i.status, i.decision or "", f"{i.score:.1f}", _label(i.left), _label(i.right),
         f"{i.opened_at:%Y-%m-%d %H:%M}")
        for i in items
    ]  # fmt: skip
    headers = ("item", "status", "decision", "score", "left", "right", "opened (UTC)")
    click.echo(tabulate(rows, headers=headers))


@review.command("show")
@click.argument("item_id", type=int)
@click.pass_context
def show_command(ctx: click.Context, item_id: int) -> None:
    try:
        item = show_item(open_db(ctx), item_id)
    except ReviewNotFound as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"review item {item.id}: {item.status} {item.decision or ''}".rstrip())
    click.echo(f"score {item.score:.1f}, opened {item.opened_at:%Y-%m-%d %H:%M:%S} UTC")
    fields = ("record_id", "source", "source_ref", "name", "email", "phone", "phone_raw",
              "phone_status", "lead_id")  # fmt: skip
    rows = [(f, getattr(item.left, f), getattr(item.right, f)) for f in fields]
    click.echo(tabulate(rows, headers=("", "left", "right")))
    click.echo("evidence: " + ", ".join(f"{k} {v}" for k, v in item.evidence.items()))


def _decision_command(decision: str, help_text: str) -> None:
    @review.command(decision, help=help_text)
    @click.argument("item_id", type=int)
    @_BY
    @click.pass_context
    def command(ctx: click.Context, item_id: int, by: str) -> None:
        now = SYSTEM_CLOCK.now()

        def answer(session: Session) -> None:
            decide(session, item_id, decision, by=by, now=now)

        try:
            report = unify_leads(open_db(ctx), now=now, answer=answer)
        except (ReviewNotFound, AlreadyDecided) as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"item {item_id}: {decision}; {report.unified} leads, {report.in_review} open")


_decision_command("merge", "The two records are one person: join their leads, now and always.")
_decision_command("distinct", "This pair is no evidence of one person; stop asking about it.")


@review.command("split")
@click.argument("item_id", type=int, required=False)
@click.option("--records", nargs=2, type=int, help="Two records of one lead to take apart.")
@_BY
@click.pass_context
def split_command(
    ctx: click.Context, item_id: int | None, records: tuple[int, int] | None, by: str
) -> None:
    """Two different people: never in one lead again, whatever links them."""
    if (item_id is None) == (records is None):
        raise click.UsageError("give a review item, or --records LEFT RIGHT")
    now = SYSTEM_CLOCK.now()

    def answer(session: Session) -> None:
        if records is not None:
            split_records(session, *records, by=by, now=now)
        else:
            decide(session, item_id or 0, "split", by=by, now=now)

    try:
        report = unify_leads(open_db(ctx), now=now, answer=answer)
    except (ReviewNotFound, AlreadyDecided, ValueError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"split; {report.unified} leads, {report.in_review} open")


def _label(side: Side) -> str:
    return f"{side.source}:{side.source_ref} {side.name or ''}".strip()
