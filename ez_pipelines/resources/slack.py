"""Slack as a Dagster resource: dagster-slack's resource, pointed at a configurable API root.

The token arrives as an `EnvVar` when it is set in the environment (see definitions.py), so
Dagster never stores or shows it; the base URL points at the sandbox's stand-in by default.
"""

from dagster_slack import SlackResource
from pydantic import Field
from slack_sdk import WebClient

from ez_pipelines.ops.slack import SlackPoster, slack_client


class SlackAlertsResource(SlackResource):
    base_url: str = Field(default="https://slack.com/api/", description="Slack Web API root.")
    channel: str = Field(default="#ez-alerts", description="Channel the alerts go to.")
    timeout_s: int = 10

    def get_client(self) -> WebClient:
        return slack_client(token=self.token, base_url=self.base_url, timeout_s=self.timeout_s)

    def poster(self) -> SlackPoster:
        return SlackPoster(self.get_client(), self.channel)
