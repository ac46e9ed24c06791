"""The lead checks fail when they should: duplicates left after unification, and a question
that has waited too long. The asset reads the time from its resource, so a test can set it."""

from __future__ import annotations

from datetime import datetime, timedelta

import dagster as dg

from ez_pipelines.assets.leads import leads_unified
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.unify import unify_leads
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.leads import LeadsResource
from tests.leads.helpers import add_lead


class LeadsAt(LeadsResource):
    """The lead assets' resource with a clock stopped at `at` (ISO 8601)."""

    at: str

    def now(self) -> datetime:
        return datetime.fromisoformat(self.at)


def checks_at(db: Database, at: datetime) -> dict[str, dg.AssetCheckEvaluation]:
    url = db.engine.url.render_as_string(hide_password=False)
    result = dg.materialize(
        [leads_unified],
        resources={"database": DatabaseResource(url=url), "leads": LeadsAt(at=at.isoformat())},
    )
    assert result.success
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_one_person_per_lead_passes_both_checks(sqlite_db: Database, clock: ManualClock) -> None:
    add_lead(sqlite_db, "hubspot", "2001", "Sara Qasim", email="sara.q@example.test",
             phone="+971 50 222 3344", now=clock.now())  # fmt: skip
    add_lead(sqlite_db, "whatsapp", "971502223344", "Sara", phone="971502223344", now=clock.now())

    checks = checks_at(sqlite_db, clock.now())

    assert checks["duplicate_rate"].passed and checks["oldest_review_age"].passed


def test_two_leads_on_one_number_fail_the_duplicate_check(
    sqlite_db: Database, clock: ManualClock
) -> None:
    # One number, two names: kept apart until a person answers, so a duplicate is left.
    add_lead(sqlite_db, "hubspot", "2001", "Ahmed Al-Mansouri", phone="+971 50 765 4321",
             now=clock.now())  # fmt: skip
    add_lead(sqlite_db, "crisp", "chat-1", "Fatima Al-Mansouri", phone="0507654321",
             now=clock.now())  # fmt: skip

    checks = checks_at(sqlite_db, clock.now())

    assert not checks["duplicate_rate"].passed
    assert checks["duplicate_rate"].metadata["duplicate_rate"].value == 1.0
    assert checks["oldest_review_age"].passed


def test_a_question_older_than_the_bound_fails_the_age_check(
    sqlite_db: Database, clock: ManualClock
) -> None:
    add_lead(sqlite_db, "hubspot", "2001", "Zayed Al Falasi", email="zayed@example.test",
             now=clock.now())  # fmt: skip
    add_lead(sqlite_db, "crisp", "chat-1", "Zayed Al Falasi", phone="050 111 2233",
             now=clock.now())  # fmt: skip
    unify_leads(sqlite_db, now=clock.now())

    checks = checks_at(sqlite_db, clock.now() + timedelta(hours=49))

    assert not checks["oldest_review_age"].passed
    assert checks["duplicate_rate"].passed
