"""People's answers in the review queue hold on every later run, and nothing is asked twice."""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.leads import LeadInput, record_lead_contact
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.review import AlreadyDecided, decide, split_records
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, membership, reviews, unified


def add_ahmeds(db: Database, clock: ManualClock) -> tuple[int, int]:
    first = add_lead(db, "hubspot", "form-1", "Ahmed Khan", email="ak@example.test",
                     now=clock.now())  # fmt: skip
    second = add_lead(db, "crisp", "chat-1", "Ahmed Ali Khan", phone="050 765 4321",
                      now=clock.now())  # fmt: skip
    return first, second


def test_a_merge_decision_survives_a_full_recompute(db: Database, clock: ManualClock) -> None:
    add_ahmeds(db, clock)
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    with db.write() as session:
        decide(session, item.id, "merge", by="agent@ez", now=clock.now())

    first = unify_leads(db, now=clock.now())
    again = unify_leads(db, now=clock.now())

    assert (first.unified, first.merged_by_people, first.in_review) == (1, 1, 0)
    assert (again.unified, again.created, again.updated, again.opened_reviews) == (1, 0, 0, 0)
    assert len(set(membership(db).values())) == 1


def test_a_distinct_decision_is_never_asked_again(db: Database, clock: ManualClock) -> None:
    add_ahmeds(db, clock)
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    with db.write() as session:
        decide(session, item.id, "distinct", by="agent@ez", now=clock.now())

    # A third record with the subset name raises the question again for a new pair, but the
    # two leads it concerns were answered about.
    add_lead(db, "crisp", "chat-2", "Ahmed Khan", email="ak@example.test", now=clock.now())
    report = unify_leads(db, now=clock.now())

    assert report.unified == 2
    assert [r.decision for r in reviews(db)] == ["distinct"]
    assert report.in_review == 0


def test_an_answered_item_cannot_be_answered_again(db: Database, clock: ManualClock) -> None:
    add_ahmeds(db, clock)
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    with db.write() as session:
        decide(session, item.id, "distinct", by="agent@ez", now=clock.now())

    try:
        with db.write() as session:
            decide(session, item.id, "merge", by="someone-else", now=clock.now())
    except AlreadyDecided:
        pass
    else:
        raise AssertionError("a second answer was accepted")
    assert [r.decision for r in reviews(db)] == ["distinct"]


def test_a_merge_later_split_by_a_person_never_merges_again(
    db: Database, clock: ManualClock
) -> None:
    form = add_lead(db, "hubspot", "form-1", "Omar Haddad", phone="+971 50 123 4567",
                    now=clock.now())  # fmt: skip
    chat = add_lead(db, "crisp", "chat-1", "Omar Haddad", phone="050 123 4567", now=clock.now())
    assert unify_leads(db, now=clock.now()).unified == 1

    with db.write() as session:
        split_records(session, form, chat, by="agent@ez", now=clock.now())
    split = unify_leads(db, now=clock.now())
    # New evidence tying them together again: the same number once more, from WhatsApp.
    add_lead(db, "whatsapp", "971501234567", "Omar Haddad", phone="971501234567",
             now=clock.now())  # fmt: skip
    later = unify_leads(db, now=clock.now())

    assert split.unified == 2
    assert later.unified == 2
    assert later.refused_by_split >= 1
    placed = membership(db)
    assert placed["hubspot:form-1"] != placed["crisp:chat-1"]
    assert {lead.id for lead in unified(db)} == {f"LD-{form:08d}", f"LD-{chat:08d}"}
    assert later.in_review == 0


def test_ids_are_stable_across_reruns(db: Database, clock: ManualClock) -> None:
    add_ahmeds(db, clock)
    add_lead(db, "whatsapp", "971507654321", "Ahmed Ali Khan", phone="971507654321",
             now=clock.now())  # fmt: skip
    unify_leads(db, now=clock.now())
    before = membership(db)

    report = unify_leads(db, now=clock.now())

    assert membership(db) == before
    assert (report.created, report.updated, report.retired) == (0, 0, 0)


def test_two_people_answering_one_question_at_once_are_served_in_turn(
    db: Database, clock: ManualClock
) -> None:
    add_ahmeds(db, clock)
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def answer_as(person: str, decision: str) -> None:
        def answer(session: Session) -> None:
            decide(session, item.id, decision, by=person, now=clock.now())
            time.sleep(0.3)  # the transaction stays open while the other person answers

        start.wait()
        try:
            unify_leads(db, now=clock.now(), answer=answer)
            outcomes[person] = "answered"
        except AlreadyDecided:
            outcomes[person] = "already answered"

    threads = [
        threading.Thread(target=answer_as, args=("first@ez", "merge")),
        threading.Thread(target=answer_as, args=("second@ez", "distinct")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["already answered", "answered"]
    [decided] = reviews(db)
    winner = next(person for person, outcome in outcomes.items() if outcome == "answered")
    assert decided.decided_by == winner


def test_a_question_settled_by_a_merge_is_asked_again_when_the_records_come_apart(
    db: Database, clock: ManualClock
) -> None:
    add_lead(db, "hubspot", "form-7", "Ahmed Khan", phone="050 111 2233", now=clock.now())
    add_lead(db, "crisp", "chat-7", "Ahmed Khan", phone="050 444 5566", now=clock.now())
    unify_leads(db, now=clock.now())
    [asked] = reviews(db, "open")

    def form_now_says(phone: str) -> None:  # a property change on the form's contact
        with db.write() as session:
            record_lead_contact(
                session, LeadInput("hubspot", "form-7", "Ahmed Khan", phone=phone),
                now=clock.now(), default_region="AE", replace=True,
            )  # fmt: skip

    form_now_says("050 444 5566")
    merged = unify_leads(db, now=clock.now())
    form_now_says("050 111 2233")
    apart = unify_leads(db, now=clock.now())

    assert (merged.unified, merged.in_review) == (1, 0)
    assert (apart.unified, apart.in_review) == (2, 1)
    [again] = reviews(db, "open")
    assert again.id == asked.id
