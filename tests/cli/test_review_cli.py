"""`ez-pipelines review`: a person lists the open questions, reads one, and answers it."""

from __future__ import annotations

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.leads.unify import unify_leads
from tests.cli.conftest import Invoke
from tests.leads.helpers import add_lead, reviews, unified


def two_ahmeds(db: Database) -> int:
    now = SYSTEM_CLOCK.now()
    add_lead(db, "hubspot", "2001", "Ahmed Khan", email="ak@example.test", now=now)
    add_lead(db, "crisp", "session_1", "Ahmed Ali Khan", phone="050 765 4321", now=now)
    unify_leads(db, now=now)
    [item] = reviews(db, "open")
    return item.id


def test_list_and_show_put_both_records_side_by_side(invoke: Invoke, sqlite_db: Database) -> None:
    item = two_ahmeds(sqlite_db)

    listed = invoke("review", "list")
    shown = invoke("review", "show", str(item))

    assert "hubspot:2001 Ahmed Khan" in listed.output
    assert "crisp:session_1 Ahmed Ali Khan" in listed.output
    assert "name partial" in shown.output
    assert "+971507654321" in shown.output


def test_merge_joins_the_leads_at_once_and_cannot_be_asked_again(
    invoke: Invoke, sqlite_db: Database
) -> None:
    item = two_ahmeds(sqlite_db)

    merged = invoke("review", "merge", str(item), "--by", "agent@ez")
    again = invoke("review", "distinct", str(item))

    assert merged.exit_code == 0 and "1 leads, 0 open" in merged.output
    assert again.exit_code != 0 and "already answered" in again.output
    assert len(unified(sqlite_db)) == 1
    assert [(r.decision, r.decided_by) for r in reviews(sqlite_db)] == [("merge", "agent@ez")]


def test_split_takes_an_automatic_merge_apart(invoke: Invoke, sqlite_db: Database) -> None:
    now = SYSTEM_CLOCK.now()
    form = add_lead(sqlite_db, "hubspot", "2001", "Omar Haddad", phone="+971501234567", now=now)
    chat = add_lead(sqlite_db, "crisp", "session_2", "Omar Haddad", phone="0501234567", now=now)
    unify_leads(sqlite_db, now=now)

    result = invoke("review", "split", "--records", str(form), str(chat))

    assert "2 leads, 0 open" in result.output
    assert len(unified(sqlite_db)) == 2


def test_merge_moves_the_newer_records_email_onto_the_older_lead(
    invoke: Invoke, sqlite_db: Database
) -> None:
    now = SYSTEM_CLOCK.now()
    add_lead(sqlite_db, "crisp", "session_1", "Zayed Al Falasi", phone="050 111 2233", now=now)
    add_lead(sqlite_db, "hubspot", "2001", "Zayed Al Falasi", email="zayed@example.test",
             phone="+971 55 444 5566", now=now)  # fmt: skip
    unify_leads(sqlite_db, now=now)
    [item] = reviews(sqlite_db, "open")

    merged = invoke("review", "merge", str(item.id))
    later = unify_leads(sqlite_db, now=now)

    assert merged.exit_code == 0 and "1 leads, 0 open" in merged.output
    assert (later.unified, later.created, later.updated) == (1, 0, 0)
    assert unified(sqlite_db)[0].email_key == "zayed@example.test"
