"""`/metrics`: every integration's figures in Prometheus' text format, read at scrape time.

A collector on the app's own registry computes the figures from the store when Prometheus
asks, so any number of receiver processes report the same numbers and none keeps counters
that a restart would reset.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.concurrency import run_in_threadpool

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import Clock
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.thresholds import AMBER, GREEN, RED, Thresholds

STATUS_VALUE = {GREEN: 0, AMBER: 1, RED: 2}


class HealthCollector(Collector):
    def __init__(self, db: Database, thresholds: Thresholds, clock: Clock) -> None:
        self.db = db
        self.thresholds = thresholds
        self.clock = clock

    def collect(self) -> Iterator[Metric]:
        healths = integration_health(self.db, now=self.clock.now(), thresholds=self.thresholds)
        label = ["integration"]
        status = GaugeMetricFamily(
            "ez_integration_status", "0 green, 1 amber, 2 red.", labels=label
        )
        queue = GaugeMetricFamily(
            "ez_outbox_queue_depth", "Open outbox rows by state.", labels=[*label, "state"]
        )
        dead = GaugeMetricFamily(
            "ez_outbox_dead_letters", "Rows waiting for a person.", labels=label
        )
        errors = GaugeMetricFamily(
            "ez_sync_error_rate", "Failed share of vendor calls, last hour.", labels=label
        )
        lag = GaugeMetricFamily(
            "ez_sync_lag_seconds",
            "Change-to-acknowledgement lag of the last hour's syncs.",
            labels=[*label, "quantile"],
        )
        success = GaugeMetricFamily(
            "ez_sync_last_success_timestamp_seconds", "Newest vendor acknowledgement.", labels=label
        )
        inbound = GaugeMetricFamily(
            "ez_inbound_deliveries", "Webhook deliveries, last hour.", labels=[*label, "outcome"]
        )
        newest = GaugeMetricFamily(
            "ez_inbound_last_received_timestamp_seconds", "Newest stored event.", labels=label
        )
        for h in healths:
            name = [h.integration]
            status.add_metric(name, STATUS_VALUE[h.status])
            if (out := h.outbound) is not None:
                for state, count in (
                    ("due", out.due),
                    ("in_flight", out.in_flight),
                    ("waiting_retry", out.waiting_retry),
                ):
                    queue.add_metric([*name, state], count)
                dead.add_metric(name, out.dead_letters)
                if out.error_rate is not None:
                    errors.add_metric(name, out.error_rate)
                for quantile, value in (("0.5", out.p50_lag_s), ("0.95", out.p95_lag_s)):
                    if value is not None:
                        lag.add_metric([*name, quantile], value)
                if out.last_success is not None:
                    success.add_metric(name, out.last_success.timestamp())
            if (inb := h.inbound) is not None:
                for outcome, count in (
                    ("received", inb.received),
                    ("rejected", inb.rejected),
                    ("duplicate", inb.duplicate),
                ):
                    inbound.add_metric([*name, outcome], count)
                if inb.last_received_at is not None:
                    newest.add_metric(name, inb.last_received_at.timestamp())
        yield from (status, queue, dead, errors, lag, success, inbound, newest)


def metrics_router(db: Database, *, thresholds: Thresholds, clock: Clock) -> APIRouter:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HealthCollector(db, thresholds, clock))
    router = APIRouter(tags=["health"])

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        """Every integration's figures in Prometheus' text exposition format."""
        body = await run_in_threadpool(generate_latest, registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router
