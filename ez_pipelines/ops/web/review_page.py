"""The review page: each open question with both records side by side, the evidence, and the
three answers as buttons. Server-rendered HTML; pages for people, so not in the API document.

An answer changes the leads, so its form carries the ops token and the CSRF token, as the
dead-letter actions do. It is stored in the transaction that unifies every lead again, as the
command line does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import Clock
from ez_pipelines.leads.review import AlreadyDecided, ReviewNotFound, decide
from ez_pipelines.leads.review_views import list_items, show_item
from ez_pipelines.leads.tables import DECISIONS
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web.guard import ActionGuard
from ez_pipelines.ops.web.rendering import render_page

_FIELDS = ("source", "source_ref", "name", "email", "phone", "phone_raw", "phone_status", "lead_id")
_BUTTONS = {
    "merge": "Same person: merge",
    "split": "Different people: split",
    "distinct": "Not evidence: distinct",
}


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def review_router(db: Database, *, clock: Clock, guard: ActionGuard) -> APIRouter:
    router = APIRouter(prefix="/review", include_in_schema=False)

    def render(
        request: Request, template: str, context: dict[str, Any], status_code: int = 200
    ) -> Response:
        context = {**context, "now": clock.now().isoformat(timespec="seconds")}
        return render_page(request, guard, template, context, status_code=status_code)

    def message(request: Request, title: str, text: str, status_code: int) -> Response:
        return render(
            request, "review_message.html", {"title": title, "message": text}, status_code
        )

    @router.get("")
    async def review_list(request: Request) -> Response:
        items = await asyncio.to_thread(list_items, db)
        return render(request, "review_list.html", {"items": items})

    @router.get("/{item_id}")
    async def review_item(request: Request, item_id: int) -> Response:
        try:
            item = await asyncio.to_thread(show_item, db, item_id)
        except ReviewNotFound as err:
            return message(request, "Not found", str(err), 404)
        rows = [
            (name, _cell(getattr(item.left, name)), _cell(getattr(item.right, name)))
            for name in _FIELDS
        ]
        buttons = [(decision, _BUTTONS[decision]) for decision in DECISIONS]
        return render(request, "review_item.html", {"item": item, "rows": rows, "buttons": buttons})

    @router.post("/{item_id}")
    async def review_answer(request: Request, item_id: int) -> Response:
        form = await guard.form(request)
        decision = form.get("decision", "")
        if decision not in DECISIONS:
            return message(request, "Not an answer", f"Answer one of {', '.join(DECISIONS)}.", 400)
        try:
            await asyncio.to_thread(_answer, db, item_id, decision, clock)
        except ReviewNotFound as err:
            return message(request, "Not found", str(err), 404)
        except AlreadyDecided as err:
            return message(request, "Already answered", str(err), 409)
        return RedirectResponse("/review", status_code=303)

    return router


def _answer(db: Database, item_id: int, decision: str, clock: Clock) -> None:
    # TODO(single sign-on in front of the ops service): record the signed-in person, not the page.
    now = clock.now()

    def answer(session: Session) -> None:
        decide(session, item_id, decision, by="ops-page", now=now)

    unify_leads(db, now=now, answer=answer)
