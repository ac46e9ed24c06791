"""Rendering an ops page from its Jinja template: the links at the top, and the CSRF token that
every action form on the page repeats and the response sets as a cookie."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates

from ez_pipelines.ops.web.guard import CSRF_FIELD, TOKEN_FIELD, ActionGuard
from ez_pipelines.ops.web.nav import PAGE_LINKS

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def render_page(
    request: Request,
    guard: ActionGuard,
    template: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
) -> Response:
    csrf = guard.csrf_token(request)
    context = {
        **context,
        "links": PAGE_LINKS,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf,
        "token_field": TOKEN_FIELD,
    }
    page = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    return guard.remember(page, csrf)
