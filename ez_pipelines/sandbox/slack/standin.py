"""A local Slack Web API: `chat.postMessage`, as the Web API documents it.

Mounted at `/slack`, so a client whose base URL is `<sandbox>/slack/api/` posts here instead of
`https://slack.com/api/`. It checks the bearer token, answers errors as Slack does (HTTP 200 with
`{"ok": false, "error": ...}`), and allows one message per second per channel: a faster post
gets HTTP 429 with `Retry-After`. Every accepted message is kept for the demo and the tests.
"""

from __future__ import annotations

import hmac
import json
import math
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ez_pipelines.clock import SYSTEM_CLOCK, Clock
from ez_pipelines.sandbox.faults import Fault
from ez_pipelines.sandbox.standin import StandIn
from ez_pipelines.settings import Settings

POST_MESSAGE = "/api/chat.postMessage"
MAX_TEXT = 40_000


class SlackStandIn(StandIn):
    """Settings: `min_interval_s` between two posts to one channel (1 s, as Slack asks),
    `fail_next_posts`, the number of coming posts to answer with a server error, and
    `fail_posts`, the numbers (from 1, counting posts past the rate limit since the last reset)
    of the posts to answer with a server error."""

    name = "slack"

    def __init__(self, *, token: str | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.token = Settings.from_env().slack.token if token is None else token
        self.clock = clock
        self._start_fresh()
        self.router.add_api_route(POST_MESSAGE, self._post_message, methods=["POST"])

    def _start_fresh(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.rate_limited = 0
        self.min_interval_s = 1.0
        self.fail_next_posts = 0
        self.fail_posts: list[int] = []
        self.posts = 0
        self._last_post: dict[str, float] = {}

    def settings(self) -> dict[str, Any]:
        return {
            "min_interval_s": self.min_interval_s,
            "fail_next_posts": self.fail_next_posts,
            "fail_posts": self.fail_posts,
        }

    def inspect(self) -> dict[str, Any]:
        return {
            "messages": list(self.messages),
            "posts": self.posts,
            "rate_limited": self.rate_limited,
        }

    def reset(self) -> None:
        super().reset()
        self._start_fresh()

    async def _post_message(self, request: Request) -> Response:
        async with self.tracked("chat.postMessage"):
            response = await self._answer(request)
        self.responses[response.status_code] += 1
        return response

    async def _answer(self, request: Request) -> Response:
        await self.faults.delay()
        error = self._auth_error(request.headers.get("authorization", ""))
        if error:
            return _error(error)
        args = await _arguments(request)
        if args is None:
            return _error("invalid_form_data")
        channel = str(args.get("channel") or "")
        if not channel:
            return _error("channel_not_found")
        if not args.get("text") and not args.get("blocks") and not args.get("attachments"):
            return _error("no_text")
        if len(str(args.get("text") or "")) > MAX_TEXT:
            return _error("msg_too_long")

        now = self.clock.monotonic()
        wait = self._last_post.get(channel, -math.inf) + self.min_interval_s - now
        if wait > 0:
            self.rate_limited += 1
            return JSONResponse(
                {"ok": False, "error": "rate_limited"},
                status_code=429,
                headers={"Retry-After": str(max(1, math.ceil(wait)))},
            )
        self.posts += 1
        self._last_post[channel] = now
        failing = self.fail_next_posts > 0 or self.posts in self.fail_posts
        if failing or self.faults.roll() is Fault.ERROR:
            self.fail_next_posts = max(0, self.fail_next_posts - 1)
            return _error("fatal_error", status_code=500)

        ts = f"{self.clock.now().timestamp():.6f}"
        message = {"type": "message", "text": args.get("text") or "", "ts": ts}
        if args.get("blocks"):
            message["blocks"] = args["blocks"]
        self.messages.append({"channel": channel, **message})
        return JSONResponse({"ok": True, "channel": channel, "ts": ts, "message": message})

    def _auth_error(self, header: str) -> str | None:
        scheme, _, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return "not_authed"
        valid = hmac.compare_digest(credential.strip().encode(), self.token.encode())
        return None if valid else "invalid_auth"


async def _arguments(request: Request) -> dict[str, Any] | None:
    """chat.postMessage takes JSON or a form; `blocks` in a form is a JSON string."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            parsed = json.loads(raw or b"{}")
            return parsed if isinstance(parsed, dict) else None
        form: dict[str, Any] = dict(parse_qsl(raw.decode("utf-8")))
        if isinstance(form.get("blocks"), str):
            form["blocks"] = json.loads(form["blocks"])
        return form
    except (ValueError, UnicodeDecodeError):
        return None


def _error(error: str, *, status_code: int = 200) -> JSONResponse:
    # Slack answers most errors with HTTP 200 and `ok: false`.
    return JSONResponse({"ok": False, "error": error}, status_code=status_code)
