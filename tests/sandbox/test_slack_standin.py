"""The Slack stand-in answers chat.postMessage as Slack does, and our client honours its 429s."""

from __future__ import annotations

import time

import pytest
import requests

from ez_pipelines.ops.alerts import AlertNotPosted
from ez_pipelines.ops.slack import SlackPoster, slack_client
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings

TOKEN = Settings.from_env({}).slack.token


def post(sandbox: BackgroundServer, token: str | None, **body: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"{sandbox.base_url}/slack/api/chat.postMessage", json=body, headers=headers, timeout=5
    )


@pytest.mark.parametrize(
    ("token", "body", "error"),
    [
        (None, {"channel": "#a", "text": "x"}, "not_authed"),
        ("xoxb-wrong", {"channel": "#a", "text": "x"}, "invalid_auth"),
        (TOKEN, {"text": "x"}, "channel_not_found"),
        (TOKEN, {"channel": "#a"}, "no_text"),
    ],
)
def test_refusals_are_http_200_with_ok_false(
    sandbox: BackgroundServer, token: str | None, body: dict[str, object], error: str
) -> None:
    response = post(sandbox, token, **body)

    assert (response.status_code, response.json()) == (200, {"ok": False, "error": error})


def test_a_second_post_within_a_second_gets_429_with_retry_after(
    sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    first = post(sandbox, TOKEN, channel="#a", text="one")
    second = post(sandbox, TOKEN, channel="#a", text="two")
    other_channel = post(sandbox, TOKEN, channel="#b", text="three")

    assert first.json()["ok"] and first.json()["message"]["text"] == "one"
    assert (second.status_code, second.headers["Retry-After"]) == (429, "1")
    assert other_channel.json()["ok"]
    assert [m["text"] for m in sandbox_client.records("slack")["messages"]] == ["one", "three"]


def test_the_poster_waits_out_the_rate_limit_and_delivers_both(
    sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    poster = SlackPoster(slack_client(token=TOKEN, base_url=f"{sandbox.base_url}/slack/api/"), "#a")

    started = time.monotonic()
    poster.post("first")
    poster.post("second")

    assert time.monotonic() - started >= 0.9
    records = sandbox_client.records("slack")
    assert [m["text"] for m in records["messages"]] == ["first", "second"]
    assert records["rate_limited"] == 1


def test_a_refused_post_raises_without_the_token(
    sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    sandbox_client.configure("slack", fail_next_posts=1)
    poster = SlackPoster(slack_client(token=TOKEN, base_url=f"{sandbox.base_url}/slack/api/"), "#a")

    with pytest.raises(AlertNotPosted) as refused:
        poster.post("lost")

    assert "fatal_error" in str(refused.value) and TOKEN not in str(refused.value)
