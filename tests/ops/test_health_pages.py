"""The health page, the dead-letter page with its retry and discard, and `/metrics`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.store import record_event
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.history import record_samples
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.outbox.tables import DEAD, DISCARDED, PENDING, OutboxRow
from ez_pipelines.settings import Settings
from tests.ops.test_health import THRESHOLDS as T
from tests.outbox.helpers import add_customers


@pytest.fixture
def client(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    app = create_ops_app(Settings.from_env({"EZ_HOME": str(tmp_path)}), sqlite_db, clock=clock)
    with TestClient(app) as test_client:
        yield test_client
    app.state.writer.close()


def dead_letters(db: Database, count: int) -> list[int]:
    with db.write() as session:
        rows = session.query(OutboxRow).filter_by(system="netsuite").limit(count).all()
        for row in rows:
            row.status, row.dead_reason = DEAD, "400 email layla0@example.test is invalid"
        return [row.id for row in rows]


def status_of(db: Database, outbox_id: int) -> str:
    with db.read() as session:
        row = session.get(OutboxRow, outbox_id)
        assert row is not None
        return row.status


def test_the_page_shows_a_tile_per_integration_and_the_dead_letters(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    [letter] = dead_letters(sqlite_db, 1)

    page = client.get("/health")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    for name, status in (("netsuite", "red"), ("hubspot", "green"), ("checkout", "green")):
        assert f'data-integration="{name}" data-status="{status}"' in html
    assert f'href="/health/dead-letters/{letter}"' in html
    assert "dead letters 1 (threshold 0)" in html
    assert "layla0@example.test" not in html and "l***@example.test" in html
    assert "<script" not in html


OPS_TOKEN = Settings.from_env({}).serve.ops_token
FORM = {"content-type": "application/x-www-form-urlencoded"}


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page's forms carry no CSRF token"
    return match.group(1)


TAMPERINGS = ("no ops token", "wrong ops token", "no csrf token", "csrf token of another browser")


def tampered(fields: dict[str, str], what: str) -> dict[str, str]:
    """A form's fields with one of its tokens missing or wrong, as `what` says."""
    fields = dict(fields)
    if what == "no ops token":
        del fields["ops_token"]
    if what == "wrong ops token":
        fields["ops_token"] = "guess"
    if what == "no csrf token":
        del fields["csrf_token"]
    if what == "csrf token of another browser":
        fields["csrf_token"] = "made-up-elsewhere"
    return fields


def form(csrf: str, **fields: str) -> str:
    return urlencode({"csrf_token": csrf, "ops_token": OPS_TOKEN, **fields})


def test_retry_and_discard_from_the_page(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    first, second = dead_letters(sqlite_db, 2)

    detail = client.get(f"/health/dead-letters/{first}")
    csrf = csrf_of(detail.text)
    retried = client.post(
        f"/health/dead-letters/{first}/retry", content=form(csrf), headers=FORM,
        follow_redirects=False,
    )  # fmt: skip
    refused = client.post(
        f"/health/dead-letters/{second}/discard", content=form(csrf, reason=""), headers=FORM
    )
    discarded = client.post(
        f"/health/dead-letters/{second}/discard",
        content=form(csrf, reason="duplicate of another customer"),
        headers=FORM,
        follow_redirects=False,
    )

    assert detail.status_code == 200 and "Retry now" in detail.text
    assert (retried.status_code, retried.headers["location"].split("?")[0]) == (303, "/health")
    assert refused.status_code == 422
    assert discarded.status_code == 303
    assert (status_of(sqlite_db, first), status_of(sqlite_db, second)) == (PENDING, DISCARDED)
    again = client.post(f"/health/dead-letters/{first}/retry", content=form(csrf), headers=FORM)
    assert again.status_code == 404


@pytest.mark.parametrize("what", TAMPERINGS)
def test_an_action_without_both_tokens_is_refused_and_changes_nothing(
    client: TestClient, sqlite_db: Database, clock: ManualClock, what: str
) -> None:
    add_customers(sqlite_db, 1, clock.now())
    [letter] = dead_letters(sqlite_db, 1)
    csrf = csrf_of(client.get("/health").text)
    fields = tampered({"csrf_token": csrf, "ops_token": OPS_TOKEN}, what)

    answer = client.post(
        f"/health/dead-letters/{letter}/retry", content=urlencode(fields), headers=FORM
    )

    assert answer.status_code == 403
    assert status_of(sqlite_db, letter) == DEAD


def test_the_ops_token_may_come_in_a_header(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 1, clock.now())
    [letter] = dead_letters(sqlite_db, 1)
    csrf = csrf_of(client.get("/health").text)

    answer = client.post(
        f"/health/dead-letters/{letter}/retry",
        content=urlencode({"csrf_token": csrf}),
        headers={**FORM, "X-Ops-Token": OPS_TOKEN},
        follow_redirects=False,
    )

    assert answer.status_code == 303 and status_of(sqlite_db, letter) == PENDING


def test_the_page_links_the_review_queue_and_labels_its_chart_axes(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    for _ in range(3):
        record_samples(sqlite_db, integration_health(sqlite_db, now=clock.now(), thresholds=T))
        clock.advance(600)

    html = client.get("/health").text

    assert 'href="/review"' in html and "Review queue" in html
    tile = html[html.index('id="tile-hubspot"') :]
    tile = tile[: tile.index("</section>")]
    assert tile.count("24 h ago") == 2 and tile.count(">now<") == 2
    assert "queue depth (rows), last day" in tile and "p95 sync lag (s), last day" in tile
    # The y axis runs from 0 to the peak: 3 customers waited in every sample.
    assert re.search(r'text-anchor="end">3</text>', tile)
    assert tile.count("<polyline") >= 1


def test_an_inbound_backlog_is_a_finding_on_its_tile(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    with sqlite_db.write() as session:
        record_event(
            session, system="whatsapp", event_id="wamid.1", event_type="message",
            occurred_at=None, body=b"{}", received_at=clock.now() - timedelta(hours=2),
            status="received",
        )  # fmt: skip

    html = client.get("/health").text

    assert 'data-integration="whatsapp" data-status="amber"' in html
    assert "oldest unprocessed inbound event 7200 s (threshold 900 s)" in html


def test_metrics_are_prometheus_text_with_every_integration(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    add_customers(sqlite_db, 3, clock.now())
    dead_letters(sqlite_db, 1)

    response = client.get("/metrics")

    assert response.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    status = {s.labels["integration"]: s.value for s in families["ez_integration_status"].samples}
    assert status == {
        "netsuite": 2.0, "hubspot": 0.0, "checkout": 0.0, "crisp": 0.0, "whatsapp": 0.0
    }  # fmt: skip
    queue = {
        (s.labels["integration"], s.labels["state"]): s.value
        for s in families["ez_outbox_queue_depth"].samples
    }
    assert queue[("hubspot", "due")] == 3.0 and queue[("netsuite", "due")] == 2.0
    assert "ez_inbound_deliveries" in families
