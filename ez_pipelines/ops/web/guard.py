"""What a page's action must show before it changes anything: the ops token and a CSRF token.

The ops token (`EZ_OPS_TOKEN`) comes in the `X-Ops-Token` header or the form's `ops_token`
field, so the pages' plain forms work without JavaScript. The CSRF token is a double submit: a
random value the page sets as a same-site cookie and repeats in each form's hidden field; a
form posted from another site cannot read the cookie, so it cannot repeat it.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import HTTPException, Request, Response

TOKEN_HEADER = "X-Ops-Token"
TOKEN_FIELD = "ops_token"
CSRF_COOKIE = "ez_csrf"
CSRF_FIELD = "csrf_token"


def _same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


class ActionGuard:
    def __init__(self, ops_token: str) -> None:
        self._ops_token = ops_token

    def csrf_token(self, request: Request) -> str:
        """The CSRF token of this browser: the one its cookie holds, or a new one."""
        return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)

    def remember(self, response: Response, token: str) -> Response:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    async def form(self, request: Request) -> dict[str, str]:
        """The posted form, once the request has shown both tokens; 403 otherwise."""
        raw = await request.body()
        fields = {
            name: values[0]
            for name, values in parse_qs(raw.decode("utf-8", errors="replace")).items()
        }
        token = request.headers.get(TOKEN_HEADER) or fields.get(TOKEN_FIELD, "")
        if not _same(token, self._ops_token):
            raise HTTPException(403, "the ops token is missing or wrong")
        if not _same(fields.get(CSRF_FIELD, ""), request.cookies.get(CSRF_COOKIE, "")):
            raise HTTPException(403, "the form is stale or from another site: reload the page")
        return fields
