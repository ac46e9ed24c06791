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


def tick(
    instance: dg.DagsterInstance,
    resources: dict[str, Any],
    assets: Sequence[dg.AssetsDefinition] = (),
) -> str:
    """Evaluate the alert sensor once; returns its summary."""
    definitions = dg.Definitions(
        assets=list(assets), sensors=[health_alerts_sensor], resources=resources
    )
    with dg.build_sensor_context(
        instance=instance, resources=resources, definitions=definitions
    ) as context:
        result = health_alerts_sensor(context)
    assert isinstance(result, dg.SkipReason)
    return result.skip_message or ""


def slack_messages(sandbox: SandboxClient) -> list[str]:
    return [m["text"] for m in sandbox.records("slack")["messages"]]
