"""The review page: both records side by side with the evidence, and three answers that need
the ops token and the CSRF token, as the dead-letter actions do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.tables import LeadReview
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.ops.web.guard import CSRF_COOKIE
from tests.leads.helpers import add_lead, reviews, unified
from tests.ops.lead_deliveries import settings_for
from tests.ops.test_health_pages import FORM, OPS_TOKEN, TAMPERINGS, csrf_of, form, tampered


@pytest.fixture
def client(sqlite_db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[TestClient]:
    app = create_ops_app(settings_for(tmp_path), sqlite_db, clock=clock)
    with TestClient(app) as test_client:
        yield test_client
    app.state.writer.close()


def open_question(db: Database, clock: ManualClock) -> LeadReview:
    add_lead(db, "hubspot", "2001", "Ahmed Khan", email="ak@example.test", now=clock.now())
    add_lead(db, "crisp", "session_<b>1</b>", "Ahmed Ali Khan", phone="050 765 4321",
             now=clock.now())  # fmt: skip
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    return item


def test_a_person_answers_from_the_page_and_the_leads_follow(
    client: TestClient, sqlite_db: Database, clock: ManualClock
) -> None:
    item = open_question(sqlite_db, clock)

    listing = client.get("/review")
    page = client.get(f"/review/{item.id}")
    csrf = csrf_of(page.text)
    answer = client.post(
        f"/review/{item.id}", content=form(csrf, decision="merge"), headers=FORM,
        follow_redirects=False,
    )  # fmt: skip
    again = client.post(f"/review/{item.id}", content=form(csrf, decision="split"), headers=FORM)

    assert f'href="/review/{item.id}"' in listing.text
    assert "ak@example.test" in page.text and "+971507654321" in page.text
    assert "session_&lt;b&gt;1&lt;/b&gt;" in page.text  # shown, never run as markup
    assert page.text.count('name="decision"') == 3
    assert 'type="password" id="answer-token" name="ops_token"' in page.text
    assert page.cookies[CSRF_COOKIE] == csrf
    assert (answer.status_code, answer.headers["location"]) == (303, "/review")
    assert [r.decision for r in reviews(sqlite_db)] == ["merge"]
    assert again.status_code == 409
    assert len(unified(sqlite_db)) == 1


@pytest.mark.parametrize("what", TAMPERINGS)
def test_an_answer_without_both_tokens_is_refused_and_the_question_stays_open(
    client: TestClient, sqlite_db: Database, clock: ManualClock, what: str
) -> None:
    item = open_question(sqlite_db, clock)
    csrf = csrf_of(client.get(f"/review/{item.id}").text)
    fields = tampered({"csrf_token": csrf, "ops_token": OPS_TOKEN, "decision": "merge"}, what)

    answer = client.post(f"/review/{item.id}", content=urlencode(fields), headers=FORM)

    assert answer.status_code == 403
    assert [(r.id, r.decision) for r in reviews(sqlite_db, "open")] == [(item.id, None)]
    assert len(unified(sqlite_db)) == 2


def test_an_unknown_item_or_answer_is_refused(client: TestClient) -> None:
    missing = client.get("/review/999")
    csrf = client.cookies[CSRF_COOKIE]
    not_an_answer = client.post("/review/999", content=form(csrf, decision="maybe"), headers=FORM)
    no_such_item = client.post("/review/999", content=form(csrf, decision="merge"), headers=FORM)

    assert missing.status_code == 404 and "no review item 999" in missing.text
    assert not_an_answer.status_code == 400
    assert no_such_item.status_code == 404
    assert "/review" not in client.get("/openapi.json").json()["paths"]
