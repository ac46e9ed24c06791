"""What the alert cases share: the alert sensor evaluated like the daemon would, against the
sandbox's Slack stand-in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dagster as dg

from ez_pipelines.canonical.db import Database
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.health import HealthResource
from ez_pipelines.resources.slack import SlackAlertsResource
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.sensors.alerts import health_alerts_sensor
from ez_pipelines.settings import Settings

UI = "http://dagster.test"


def alert_resources(db: Database, sandbox: BackgroundServer) -> dict[str, Any]:
    return {
        "database": DatabaseResource(url=db.engine.url.render_as_string(hide_password=False)),
        "health": HealthResource(lag_bound_s=900, dagster_ui_url=UI),
        "slack": SlackAlertsResource(
            token=Settings.from_env({}).slack.token,
            base_url=f"{sandbox.base_url}/slack/api/",
            channel="#ez-alerts",
        ),
    }


class Ticker:
    """The alert sensor evaluated like the daemon does: each tick starts from the cursor the
    previous one left. A new Ticker given that cursor is the daemon after a restart."""

    def __init__(
        self,
        instance: dg.DagsterInstance,
        resources: dict[str, Any],
        assets: Sequence[dg.AssetsDefinition] = (),
        cursor: str | None = None,
    ) -> None:
        self.instance = instance
        self.resources = resources
        self.definitions = dg.Definitions(
            assets=list(assets), sensors=[health_alerts_sensor], resources=resources
        )
        self.cursor = cursor

    def tick(self) -> str:
        """Evaluate the alert sensor once; returns its summary."""
        with dg.build_sensor_context(
            instance=self.instance,
            resources=self.resources,
            definitions=self.definitions,
            cursor=self.cursor,
        ) as context:
            result = health_alerts_sensor(context)
            self.cursor = context.cursor
        assert isinstance(result, dg.SkipReason)
        return result.skip_message or ""


def tick(
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
    assets: Sequence[dg.AssetsDefinition] = (),
) -> str:
    """Evaluate the alert sensor once, from an empty cursor; returns its summary."""
    return Ticker(instance, resources, assets).tick()


def slack_messages(sandbox: SandboxClient) -> list[str]:
    return [m["text"] for m in sandbox.records("slack")["messages"]]
