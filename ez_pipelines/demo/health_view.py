"""The demo's health pass: measure every integration, judge it, let the alert sensor speak, and
show what Slack heard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import dagster as dg
from tabulate import tabulate

from ez_pipelines.canonical.db import Database
from ez_pipelines.ops.health import IntegrationHealth, integration_health
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.sandbox.client import SandboxClient

Echo = Callable[[str], None]
ALERT_SENSOR = "health_alerts"


class AlertSensor:
    """The alert sensor evaluated as the daemon does every minute, each evaluation starting from
    the cursor the previous one left."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
        self.defs = defs
        self.instance = instance
        self.cursor: str | None = None

    def tick(self) -> str:
        """Evaluate the sensor once; returns its summary."""
        sensor = self.defs.resolve_sensor_def(ALERT_SENSOR)
        all_resources = self.defs.resources or {}
        resources = {name: all_resources[name] for name in ("slack", "health")}
        with dg.build_sensor_context(
            instance=self.instance, resources=resources, definitions=self.defs, cursor=self.cursor
        ) as context:
            result = sensor(context)
            self.cursor = context.cursor
        return (result.skip_message or "") if isinstance(result, dg.SkipReason) else str(result)


def health_pass(run_job: Callable[[str], object], alerts: AlertSensor, echo: Echo) -> None:
    run_job("integration_health")
    echo(f"  alert sensor: {alerts.tick()}")


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def health_entries(db: Database, thresholds: Thresholds, now: datetime) -> list[IntegrationHealth]:
    return integration_health(db, now=now, thresholds=thresholds)


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def inbound_json(health: IntegrationHealth) -> dict[str, Any] | None:
    """What an integration sent us in the last hour; None for one that only receives from us."""
    inbound = health.inbound
    if inbound is None:
        return None
    return {
        "received": inbound.received,
        "rejected": inbound.rejected,
        "duplicate": inbound.duplicate,
        "waiting": inbound.waiting,
        "last_event": _instant(inbound.last_received_at),
    }


def health_json(healths: list[IntegrationHealth]) -> dict[str, dict[str, Any]]:
    return {
        h.integration: {
            "status": h.status,
            "directions": h.directions,
            "queue_depth": h.queue_depth,
            "error_rate": _rounded(h.error_rate, 4),
            "p95_lag_s": _rounded(h.p95_lag_s),
            "last_success": _instant(h.last_success),
            "dead_letters": h.dead_letters,
            "inbound": inbound_json(h),
            "findings": [f.sentence() for f in h.findings],
        }
        for h in healths
    }


def _inbound_cell(health: IntegrationHealth) -> str:
    inbound = health.inbound
    if inbound is None:
        return "–"
    return f"{inbound.received} / {inbound.rejected} / {inbound.duplicate}"


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
            _inbound_cell(h),
            "; ".join(f.sentence() for f in h.findings) or "–",
        )
        for h in healths
    ]
    headers = (
        "integration", "status", "queue depth", "errors (1 h)", "p95 lag (s)", "last success",
        "dead letters", "in: received / rejected / duplicate (1 h)", "findings",
    )  # fmt: skip
    return tabulate(rows, headers=headers)


def slack_messages(sandbox: SandboxClient) -> list[str]:
    return [str(m["text"]) for m in sandbox.records("slack")["messages"]]
