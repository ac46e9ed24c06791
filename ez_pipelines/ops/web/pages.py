"""The health pages: a tile per integration, the dead letters, and a person's retry or discard.

Server-rendered with Jinja2 and plain HTML forms, so they read without JavaScript and need no
build step. Handlers are plain functions: FastAPI runs them on its thread pool, away from the
event loop the webhooks are answered on.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import Clock
from ez_pipelines.ops.health import IntegrationHealth, integration_health
from ez_pipelines.ops.history import samples_since
from ez_pipelines.ops.logs import mask_contact_points
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.ops.web.charts import SIZE, sparkline
from ez_pipelines.ops.web.guard import ActionGuard
from ez_pipelines.ops.web.rendering import render_page
from ez_pipelines.outbox.deadletters import (
    DeadLetterNotFound,
    discard_dead_letters,
    list_dead_letters,
    retry_dead_letters,
    show_dead_letter,
)

CHART_WINDOW = timedelta(days=1)
LISTED = 200


def _ago(now: datetime, then: datetime | None) -> str:
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.1%}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _tile(health: IntegrationHealth, samples: dict[str, Any], now: datetime) -> dict[str, Any]:
    points = samples.get(health.integration, [])
    return {
        "health": health,
        "queue_chart": sparkline(
            [(s.taken_at, float(s.queue_depth)) for s in points], now=now, window=CHART_WINDOW
        ),
        "lag_chart": sparkline(
            [(s.taken_at, s.p95_lag_s) for s in points], now=now, window=CHART_WINDOW
        ),
        "error_rate": _percent(health.error_rate),
        "p95_lag": _seconds(health.p95_lag_s),
        "last_success": _ago(now, health.last_success),
        "last_success_at": health.last_success.isoformat(timespec="seconds")
        if health.last_success
        else "",
        "last_received": _ago(now, health.inbound.last_received_at) if health.inbound else "",
    }


def pages_router(
    db: Database, *, thresholds: Thresholds, clock: Clock, guard: ActionGuard
) -> APIRouter:
    router = APIRouter(tags=["pages"], include_in_schema=False)

    @router.get("/health", response_class=HTMLResponse)
    def health_page(request: Request) -> Response:
        now = clock.now()
        healths = integration_health(db, now=now, thresholds=thresholds)
        samples = samples_since(db, now - CHART_WINDOW)
        letters = list_dead_letters(db)
        context = {
            "now": now.isoformat(timespec="seconds"),
            "tiles": [_tile(h, samples, now) for h in healths],
            "thresholds": thresholds,
            "chart_size": SIZE,
            "dead_letters": [
                {
                    "letter": d,
                    "reason": mask_contact_points(d.reason)[:160],
                    "dead": _ago(now, d.dead_at),
                }
                for d in letters[:LISTED]
            ],
            "dead_letter_count": len(letters),
            "notice": request.query_params.get("notice", ""),
        }
        return render_page(request, guard, "health.html", context)

    @router.get("/health/dead-letters/{outbox_id}", response_class=HTMLResponse)
    def dead_letter_page(request: Request, outbox_id: int) -> Response:
        try:
            letter, attempts = show_dead_letter(db, outbox_id)
        except DeadLetterNotFound as err:
            raise HTTPException(404, str(err)) from None
        payload = letter.payload
        if payload:
            with contextlib.suppress(ValueError):
                payload = json.dumps(json.loads(payload), indent=2, ensure_ascii=False)
        context = {
            "letter": letter,
            "attempts": attempts,
            "payload": payload,
            "now": clock.now().isoformat(timespec="seconds"),
        }
        return render_page(request, guard, "dead_letter.html", context)

    @router.post("/health/dead-letters/{outbox_id}/retry")
    async def retry(request: Request, outbox_id: int) -> Response:
        await guard.form(request)
        try:
            [retried] = await run_in_threadpool(
                retry_dead_letters, db, [outbox_id], now=clock.now()
            )
        except DeadLetterNotFound as err:
            raise HTTPException(404, str(err)) from None
        return _back(f"Dead letter {outbox_id} queued again as row {retried.queued_as}.")

    @router.post("/health/dead-letters/{outbox_id}/discard")
    async def discard(request: Request, outbox_id: int) -> Response:
        form = await guard.form(request)
        reason = form.get("reason", "").strip()
        if not reason:
            raise HTTPException(422, "say why the dead letter is discarded")
        try:
            await run_in_threadpool(discard_dead_letters, db, [outbox_id], reason=reason[:500])
        except DeadLetterNotFound as err:
            raise HTTPException(404, str(err)) from None
        return _back(f"Dead letter {outbox_id} discarded.")

    return router


def _back(notice: str) -> RedirectResponse:
    # Post/redirect/get: reloading the page never repeats the action.
    return RedirectResponse(f"/health?{urlencode({'notice': notice})}#dead-letters", 303)
