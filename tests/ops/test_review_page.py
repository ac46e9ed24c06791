"""The review page: both records side by side with the evidence, and three answers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web import create_ops_app
from tests.leads.helpers import add_lead, reviews, unified
from tests.ops.lead_deliveries import settings_for


def test_a_person_answers_from_the_page_and_the_leads_follow(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    add_lead(sqlite_db, "hubspot", "2001", "Ahmed Khan", email="ak@example.test", now=clock.now())
    add_lead(sqlite_db, "crisp", "session_<b>1</b>", "Ahmed Ali Khan", phone="050 765 4321",
             now=clock.now())  # fmt: skip
    unify_leads(sqlite_db, now=clock.now())
    [item] = reviews(sqlite_db, "open")
    client = TestClient(create_ops_app(settings_for(tmp_path), sqlite_db, clock=clock))

    listing = client.get("/review")
    page = client.get(f"/review/{item.id}")
    answer = client.post(f"/review/{item.id}", data={"decision": "merge"}, follow_redirects=False)
    again = client.post(f"/review/{item.id}", data={"decision": "split"})

    assert f"/review/{item.id}" in listing.text
    assert "ak@example.test" in page.text and "+971507654321" in page.text
    assert "session_&lt;b&gt;1&lt;/b&gt;" in page.text  # shown, never run as markup
    assert page.text.count("name='decision'") == 3
    assert (answer.status_code, answer.headers["location"]) == (303, "/review")
    assert again.status_code == 409
    assert len(unified(sqlite_db)) == 1


def test_an_unknown_item_or_answer_is_refused(
    sqlite_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    client = TestClient(create_ops_app(settings_for(tmp_path), sqlite_db, clock=clock))

    assert client.get("/review/999").status_code == 404
    assert client.post("/review/999", data={"decision": "maybe"}).status_code == 400
    assert "/review" not in client.get("/openapi.json").json()["paths"]
