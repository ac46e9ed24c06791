"""Posting alerts to Slack with slack_sdk: one channel, Slack's rate limit honoured.

The client waits out a 429 for as long as `Retry-After` says, a few times, before the post
counts as failed; any other refusal fails the post at once, to be tried on the next pass.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from ez_pipelines.ops.alerts import AlertNotPosted

RATE_LIMIT_RETRIES = 3


def slack_client(*, token: str, base_url: str, timeout_s: int = 10) -> WebClient:
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout_s,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
    )


class SlackPoster:
    def __init__(self, client: WebClient, channel: str) -> None:
        self.client = client
        self.channel = channel

    def post(self, text: str) -> None:
        try:
            self.client.chat_postMessage(channel=self.channel, text=text, unfurl_links=False)
        except SlackApiError as err:
            # The error code only: the response can echo the request, never the token.
            raise AlertNotPosted(
                f"Slack answered {err.response.status_code} {err.response.get('error')}"
            ) from None
        except (SlackClientError, OSError) as err:
            raise AlertNotPosted(f"Slack could not be reached ({type(err).__name__})") from None
