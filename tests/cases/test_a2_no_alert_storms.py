"""Two sync runs fail in one sensor tick and posting the second one's alert fails once: over
three ticks each failure is posted exactly once and the third tick posts nothing. A run that
fails, is retried twice and fails each time produces one alert that mentions the retries."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml
from dagster._core.execution.api import execute_run

from ez_pipelines.canonical.db import Database
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.cases.alerting import UI, Ticker, alert_resources, slack_messages

ROOT = Path(__file__).resolve().parents[2]


@dg.op
def push_to_netsuite() -> None:
    raise RuntimeError("NetSuite answered 503 for the whole batch")


@dg.job(executor_def=dg.in_process_executor)
def sync_netsuite() -> None:
    push_to_netsuite()


def failed_run(
    instance: dg.DagsterInstance, *, parent: str | None = None, root: str | None = None, **tags: str
) -> str:
    """A failed run of `sync_netsuite`; with `parent`, a retry of it, as the retry daemon makes
    them (the run group is what Dagster counts the retries by)."""
    run = instance.create_run_for_job(
        job_def=sync_netsuite, tags=tags, parent_run_id=parent, root_run_id=root
    )
    execute_run(dg.reconstructable(sync_netsuite), run, instance)
    finished = instance.get_run_by_id(run.run_id)
    assert finished is not None and finished.status == dg.DagsterRunStatus.FAILURE
    return run.run_id


def test_two_failures_in_one_tick_are_each_posted_once_despite_a_failed_post(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    resources = alert_resources(sqlite_db, sandbox)
    sandbox_client.configure("slack", fail_posts=[2])
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        first, second = failed_run(instance), failed_run(instance)

        alerts = Ticker(instance, resources)
        ticks = [alerts.tick() for _ in range(3)]

    messages = slack_messages(sandbox_client)
    assert ticks == [
        "1 alerts posted, 1 to try again, 0 subjects unchanged",
        "1 alerts posted, 0 to try again, 1 subjects unchanged",
        "0 alerts posted, 0 to try again, 2 subjects unchanged",
    ]
    assert len(messages) == 2
    assert first[:8] in messages[0] and second[:8] in messages[1]
    assert f"<{UI}/runs/{first}|" in messages[0]
    assert sandbox_client.records("slack")["posts"] == 3


def production_run_retries() -> dict[str, object]:
    """The run retries the production instance is configured with."""
    config = yaml.safe_load((ROOT / "deploy" / "dagster.yaml").read_text(encoding="utf-8"))
    retries: dict[str, object] = config["run_retries"]
    return retries


def test_a_run_retried_twice_alerts_once_with_its_retries(
    sqlite_db: Database,
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    tmp_path: Path,
) -> None:
    resources = alert_resources(sqlite_db, sandbox)
    retries = production_run_retries()
    max_retries = str(retries["max_retries"])
    with dg.instance_for_test(
        temp_dir=str(tmp_path), overrides={"run_retries": retries}
    ) as instance:
        root = failed_run(instance, **{"dagster/max_retries": max_retries})
        parent = root
        for number in range(1, int(max_retries) + 1):
            parent = failed_run(
                instance,
                parent=parent,
                root=root,
                **{
                    "dagster/max_retries": max_retries,
                    "dagster/retry_number": str(number),
                    "dagster/root_run_id": root,
                    "dagster/parent_run_id": parent,
                },
            )
        will_retry = [
            r.dagster_run.tags.get("dagster/will_retry")
            for r in reversed(instance.get_run_records())
        ]

        alerts = Ticker(instance, resources)
        alerts.tick()
        alerts.tick()
        # The daemon restarted: a new evaluation from the cursor it kept.
        Ticker(instance, resources, cursor=alerts.cursor).tick()

    [message] = slack_messages(sandbox_client)
    assert retries["enabled"] is True and max_retries == "2"
    assert will_retry == ["true", "true", "false"]
    assert "after 2 retries" in message and parent[:8] in message
    assert f"<{UI}/runs/{parent}|" in message
