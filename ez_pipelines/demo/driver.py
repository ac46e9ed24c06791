"""Driving Dagster as its daemon would: running jobs, and ticking the sensors until the work
they start is done. Runs execute in this process against the persistent instance."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import dagster as dg

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.inbox.status import inbox_status
from ez_pipelines.ops.metrics import queue_status

Echo = Callable[[str], None]
# Dagster's console logger prints every event at DEBUG; the demo prints its own progress.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
SENSORS = ("outbox_due_rows", "inbox_new_events")


class Driver:
    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance, echo: Echo) -> None:
        self.defs = defs
        self.instance = instance
        self.echo = echo
        self.cursors: dict[str, str | None] = {}

    def run_job(self, name: str) -> dg.ExecuteInProcessResult:
        result = self.defs.resolve_job_def(name).execute_in_process(
            instance=self.instance, tags={"ez/started_by": "demo"}, run_config=QUIET
        )
        self.echo(f"  run {result.run_id[:8]} of {name}: {_verdict(result)}")
        return result

    def materialize_partition(self, key: dg.AssetKey, day: date) -> dg.ExecuteInProcessResult:
        job = self.defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            instance=self.instance,
            asset_selection=[key],
            partition_key=day.isoformat(),
            run_config=QUIET,
            raise_on_error=False,
        )
        self.echo(
            f"  run {result.run_id[:8]} of {key.to_user_string()} [{day}]: {_verdict(result)}"
        )
        return result

    def tick(self) -> int:
        """Evaluate every sensor once and execute the runs they request; returns how many."""
        job = self.defs.resolve_implicit_global_asset_job_def()
        resources = {"database": (self.defs.resources or {})["database"]}
        started = 0
        for name in SENSORS:
            sensor = self.defs.resolve_sensor_def(name)
            with dg.build_sensor_context(
                instance=self.instance,
                cursor=self.cursors.get(name),
                resources=resources,
                definitions=self.defs,
            ) as context:
                result = sensor(context)
            if not isinstance(result, dg.SensorResult):
                raise TypeError(f"sensor {name} returned {type(result).__name__}")
            self.cursors[name] = result.cursor
            for request in result.run_requests or []:
                run = job.execute_in_process(
                    instance=self.instance,
                    asset_selection=request.asset_selection,
                    tags=request.tags,
                    run_config=QUIET,
                )
                what = ", ".join(k.to_user_string() for k in request.asset_selection or [])
                self.echo(f"  sensor {name} ran {what}: {_verdict(run)}")
                started += 1
        return started

    def until_quiet(self, db: Database, *, deadline: float, busy: Callable[[], bool]) -> bool:
        """Tick until the outbox is empty, no event waits and `busy()` says nothing is on its
        way; sleeps until the next retry falls due in between. False at the deadline."""
        while time.monotonic() < deadline:
            if self.tick():
                continue
            open_rows = [
                s
                for s in queue_status(db, now=SYSTEM_CLOCK.now()).values()
                if s.due + s.in_flight + s.waiting_retry > 0
            ]
            received = sum(s.received for s in inbox_status(db).values())
            if not open_rows and not received and not busy():
                return True
            next_due = min((s.next_due_at for s in open_rows if s.next_due_at), default=None)
            wait = (next_due - SYSTEM_CLOCK.now()).total_seconds() if next_due else 0.5
            time.sleep(min(max(wait, 0.2), 3.0))
        self.echo("  deadline reached with work still open")
        return False


def _verdict(result: dg.ExecuteInProcessResult) -> str:
    return "success" if result.success else "FAILED"
