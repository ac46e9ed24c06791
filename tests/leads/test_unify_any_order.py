"""An email moves onto an older lead whatever order the records arrive in, and a person's answer
is kept only when the unification it asks for succeeds."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.config import LEAD_MATCHING, BlockingRule
from ez_pipelines.leads.review import decide
from ez_pipelines.leads.tables import OPEN
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, membership, reviews, unified


def test_a_lead_holding_the_email_is_absorbed_by_an_older_lead(
    db: Database, clock: ManualClock
) -> None:
    # The phone-only WhatsApp lead is the oldest; the chat's lead holds the email; the form
    # carries both and joins them, so the email must move onto the WhatsApp lead.
    add_lead(db, "whatsapp", "971502223344", "Sara Qasim", phone="971502223344", now=clock.now())
    unify_leads(db, now=clock.now())
    add_lead(db, "crisp", "session_sara", "Sara Qasim", email="sara.q@example.test",
             now=clock.now())  # fmt: skip
    unify_leads(db, now=clock.now())
    assert len(unified(db)) == 2

    add_lead(db, "hubspot", "2001", "Sara Qasim", email="Sara.Q@example.test",
             phone="+971 50 222 3344", now=clock.now())  # fmt: skip
    report = unify_leads(db, now=clock.now())
    again = unify_leads(db, now=clock.now())

    [lead] = unified(db)
    assert (lead.email_key, lead.phone, lead.records) == ("sara.q@example.test",
                                                           "+971502223344", 3)  # fmt: skip
    assert (report.retired, again.created, again.updated, again.retired) == (1, 0, 0, 0)
    assert set(membership(db).values()) == {lead.id}


def two_zayeds(db: Database, clock: ManualClock) -> int:
    """The same rare full name on two different phones, the newer record with an email: a
    question for a person."""
    add_lead(db, "crisp", "session_1", "Zayed Al Falasi", phone="050 111 2233", now=clock.now())
    add_lead(db, "hubspot", "2001", "Zayed Al Falasi", email="zayed@example.test",
             phone="+971 55 444 5566", now=clock.now())  # fmt: skip
    unify_leads(db, now=clock.now())
    [item] = reviews(db, OPEN)
    return item.id


def test_a_merge_answer_moves_the_newer_records_email_onto_the_older_lead(
    db: Database, clock: ManualClock
) -> None:
    item = two_zayeds(db, clock)

    def answer(session: Session) -> None:
        decide(session, item, "merge", by="agent@ez", now=clock.now())

    report = unify_leads(db, now=clock.now(), answer=answer)
    later = unify_leads(db, now=clock.now())

    [lead] = unified(db)
    assert (lead.email_key, report.merged_by_people, report.retired) == (
        "zayed@example.test", 1, 1)  # fmt: skip
    assert (later.unified, later.created, later.updated) == (1, 0, 0)


def test_an_answer_whose_unification_fails_is_not_kept(db: Database, clock: ManualClock) -> None:
    item = two_zayeds(db, clock)
    # A configuration that cannot run: its blocking key names no field.
    broken = LEAD_MATCHING.__class__(
        **{**vars(LEAD_MATCHING), "blocking": (BlockingRule(("no_such_field",)),)}
    )

    def answer(session: Session) -> None:
        decide(session, item, "merge", by="agent@ez", now=clock.now())

    with pytest.raises(ValueError, match="neither a field nor derived"):
        unify_leads(db, now=clock.now(), config=broken, answer=answer)

    [still] = reviews(db)
    assert (still.id, still.status, still.decision) == (item, OPEN, None)
    assert unify_leads(db, now=clock.now()).unified == 2
