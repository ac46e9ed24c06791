"""The review page: each open question with both records side by side, the evidence, and the
three answers as buttons. Server-rendered HTML; pages for people, so not in the API document.

An answer is stored in the transaction that unifies every lead again, as the command line does.
"""

from __future__ import annotations

import asyncio
from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import Clock
from ez_pipelines.leads.review import AlreadyDecided, ReviewNotFound, decide
from ez_pipelines.leads.review_views import ReviewItem, Side, list_items, show_item
from ez_pipelines.leads.tables import DECISIONS
from ez_pipelines.leads.unify import unify_leads

_FIELDS = ("source", "source_ref", "name", "email", "phone", "phone_raw", "phone_status", "lead_id")
_BUTTONS = {
    "merge": "Same person: merge",
    "split": "Different people: split",
    "distinct": "Not evidence: distinct",
}
_STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    "button{margin-right:1em;padding:.5em 1em}"
)


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status_code)


def _cell(value: object) -> str:
    return escape("" if value is None else str(value))


def _label(side: Side) -> str:
    return f"{side.source}:{side.source_ref} {side.name or ''}"


def _list_html(items: list[ReviewItem]) -> str:
    if not items:
        return "<p>Nothing waits for review.</p>"
    rows = "".join(
        f"<tr><td><a href='/review/{i.id}'>{i.id}</a></td><td>{i.score:.1f}</td>"
        f"<td>{_cell(_label(i.left))}</td><td>{_cell(_label(i.right))}</td>"
        f"<td>{i.opened_at:%Y-%m-%d %H:%M}</td></tr>"
        for i in items
    )
    return (
        "<table><tr><th>item</th><th>score</th><th>left</th><th>right</th>"
        f"<th>opened (UTC)</th></tr>{rows}</table>"
    )


def _item_html(item: ReviewItem) -> str:
    rows = "".join(
        f"<tr><th>{name}</th><td>{_cell(getattr(item.left, name))}</td>"
        f"<td>{_cell(getattr(item.right, name))}</td></tr>"
        for name in _FIELDS
    )
    evidence = "".join(
        f"<li>{_cell(name)}: {_cell(level)}</li>" for name, level in item.evidence.items()
    )
    if item.status == "open":
        buttons = "".join(
            f"<button name='decision' value='{d}'>{_BUTTONS[d]}</button>" for d in DECISIONS
        )
        answer = f"<form method='post' action='/review/{item.id}'>{buttons}</form>"
    else:
        answer = f"<p>Answered: {_cell(item.decision)} by {_cell(item.decided_by)}.</p>"
    return (
        f"<p>Score {item.score:.1f}. <a href='/review'>All open items</a></p>"
        f"<table><tr><th></th><th>left</th><th>right</th></tr>{rows}</table>"
        f"<h2>Evidence</h2><ul>{evidence}</ul>{answer}"
    )


def review_router(db: Database, *, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/review", include_in_schema=False)

    @router.get("")
    async def review_list() -> HTMLResponse:
        items = await asyncio.to_thread(list_items, db)
        return _page("Leads waiting for review", _list_html(items))

    @router.get("/{item_id}")
    async def review_item(item_id: int) -> HTMLResponse:
        try:
            item = await asyncio.to_thread(show_item, db, item_id)
        except ReviewNotFound as err:
            return _page("Not found", f"<p>{_cell(err)}</p>", 404)
        return _page(f"Review item {item.id}", _item_html(item))

    @router.post("/{item_id}")
    async def review_answer(item_id: int, request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        decision = (form.get("decision") or [""])[0]
        if decision not in DECISIONS:
            return _page("Not an answer", f"<p>Answer one of {', '.join(DECISIONS)}.</p>", 400)
        try:
            await asyncio.to_thread(_answer, db, item_id, decision, clock)
        except ReviewNotFound as err:
            return _page("Not found", f"<p>{_cell(err)}</p>", 404)
        except AlreadyDecided as err:
            return _page("Already answered", f"<p>{_cell(err)}</p>", 409)
        return RedirectResponse("/review", status_code=303)

    return router


def _answer(db: Database, item_id: int, decision: str, clock: Clock) -> None:
    # TODO(single sign-on in front of the ops service): record the signed-in person, not the page.
    now = clock.now()

    def answer(session: Session) -> None:
        decide(session, item_id, decision, by="ops-page", now=now)

    unify_leads(db, now=now, answer=answer)
