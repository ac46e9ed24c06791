"""The demo's health pass: measure every integration, judge it, let the alert sensor speak, and
show what Slack heard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dagster as dg
from tabulate import tabulate

from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.health import IntegrationHealth, Thresholds, integration_health
from ez_pipelines.sandbox.client import SandboxClient

Echo = Callable[[str], None]
ALERT_SENSOR = "health_alerts"


def tick_alerts(defs: dg.Definitions, instance: dg.DagsterInstance) -> str:
    """Evaluate the alert sensor once, as the daemon does every minute; returns its summary."""
    sensor = defs.resolve_sensor_def(ALERT_SENSOR)
    all_resources = defs.resources or {}
    resources = {name: all_resources[name] for name in ("database", "slack", "health")}
    with dg.build_sensor_context(
        instance=instance, resources=resources, definitions=defs
    ) as context:
        result = sensor(context)
    return (result.skip_message or "") if isinstance(result, dg.SkipReason) else str(result)


def health_pass(
    run_job: Callable[[str], object], defs: dg.Definitions, instance: dg.DagsterInstance, echo: Echo
) -> None:
    run_job("integration_health")
    echo(f"  alert sensor: {tick_alerts(defs, instance)}")


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def health_entries(db: Database, thresholds: Thresholds, now: datetime) -> list[IntegrationHealth]:
    return integration_health(db, now=now, thresholds=thresholds)


def health_json(healths: list[IntegrationHealth]) -> dict[str, dict[str, Any]]:
    return {
        h.integration: {
            "status": h.status,
            "queue_depth": h.queue_depth,
            "error_rate": _rounded(h.error_rate, 4),
            "p95_lag_s": _rounded(h.p95_lag_s),
            "last_success": h.last_success.isoformat() if h.last_success else None,
            "dead_letters": h.dead_letters,
            "findings": [f.sentence() for f in h.findings],
        }
        for h in healths
    }


def render_health(healths: list[IntegrationHealth]) -> str:
    rows = [
        (
            h.integration,
            h.status,
            h.queue_depth,
            "–" if h.error_rate is None else f"{h.error_rate:.1%}",
            _rounded(h.p95_lag_s),
            h.last_success.isoformat(timespec="seconds") if h.last_success else "never",
            h.dead_letters,
            "; ".join(f.sentence() for f in h.findings) or "–",
        )
        for h in healths
    ]
    headers = (
        "integration", "status", "queue depth", "errors (1 h)", "p95 lag (s)", "last success",
        "dead letters", "findings",
    )  # fmt: skip
    return tabulate(rows, headers=headers)


def slack_messages(sandbox: SandboxClient) -> list[str]:
    return [str(m["text"]) for m in sandbox.records("slack")["messages"]]
