"""A person's answer names its records by channel and channel id, so it holds after the channel
records are wiped and read again under new row ids, and after an older store is migrated."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import delete, update

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Lead
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.review import decide, split_records
from ez_pipelines.leads.tables import LeadReview, UnifiedLead
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, membership, reviews


def wipe(db: Database) -> None:
    """Channel records and unified leads gone, as before reading the inbox again from scratch;
    the review answers stay."""
    with db.write() as session:
        session.execute(update(Lead).values(person_id=None))
        session.execute(delete(UnifiedLead))
        session.execute(delete(Lead))


def test_a_merge_answer_holds_after_records_come_back_under_new_ids(
    db: Database, clock: ManualClock
) -> None:
    form = add_lead(db, "hubspot", "form-1", "Ahmed Khan", email="ak@example.test",
                    now=clock.now())  # fmt: skip
    chat = add_lead(db, "crisp", "chat-1", "Ahmed Ali Khan", phone="050 765 4321",
                    now=clock.now())  # fmt: skip
    add_lead(db, "hubspot", "form-2", "Layla Haddad", email="layla@example.test", now=clock.now())
    unify_leads(db, now=clock.now())
    [item] = reviews(db, "open")
    with db.write() as session:
        decide(session, item.id, "merge", by="agent@ez", now=clock.now())
    unify_leads(db, now=clock.now())

    wipe(db)
    # Read back in another order: new row ids (SQLite hands Layla the form's old one).
    add_lead(db, "hubspot", "form-2", "Layla Haddad", email="layla@example.test", now=clock.now())
    new_chat = add_lead(db, "crisp", "chat-1", "Ahmed Ali Khan", phone="050 765 4321",
                        now=clock.now())  # fmt: skip
    new_form = add_lead(db, "hubspot", "form-1", "Ahmed Khan", email="ak@example.test",
                        now=clock.now())  # fmt: skip
    report = unify_leads(db, now=clock.now())

    assert (new_form, new_chat) != (form, chat)
    placed = membership(db)
    assert placed["hubspot:form-1"] == placed["crisp:chat-1"] != placed["hubspot:form-2"]
    assert (report.unified, report.merged_by_people) == (2, 1)
    assert (report.opened_reviews, report.in_review) == (0, 0)
    assert [(r.status, r.decision) for r in reviews(db)] == [("decided", "merge")]


def test_a_split_holds_after_records_come_back_under_new_ids(
    db: Database, clock: ManualClock
) -> None:
    form = add_lead(db, "hubspot", "form-1", "Omar Haddad", phone="+971 50 123 4567",
                    now=clock.now())  # fmt: skip
    chat = add_lead(db, "crisp", "chat-1", "Omar Haddad", phone="050 123 4567", now=clock.now())
    assert unify_leads(db, now=clock.now()).unified == 1
    with db.write() as session:
        split_records(session, form, chat, by="agent@ez", now=clock.now())
    assert unify_leads(db, now=clock.now()).unified == 2

    wipe(db)
    add_lead(db, "whatsapp", "971501234567", "Omar Haddad", phone="971501234567", now=clock.now())
    add_lead(db, "crisp", "chat-1", "Omar Haddad", phone="050 123 4567", now=clock.now())
    add_lead(db, "hubspot", "form-1", "Omar Haddad", phone="+971 50 123 4567", now=clock.now())
    report = unify_leads(db, now=clock.now())

    placed = membership(db)
    assert placed["hubspot:form-1"] != placed["crisp:chat-1"]
    assert report.unified == 2
    assert report.refused_by_split >= 1
    assert report.in_review == 0


def test_review_rows_of_an_older_store_are_rewritten_to_channel_ids(
    tmp_path: Path, clock: ManualClock
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade(url, "0005")
    engine = sa.create_engine(url)
    now = clock.now().isoformat()
    with engine.begin() as connection:
        for row_id, source, ref in ((1, "whatsapp", "971501234567"), (2, "crisp", "chat-9")):
            connection.execute(
                sa.text(
                    "INSERT INTO leads (id, source, source_ref, message_count, created_at,"
                    " updated_at) VALUES (:id, :source, :ref, 0, :now, :now)"
                ),
                {"id": row_id, "source": source, "ref": ref, "now": now},
            )
        connection.execute(
            sa.text(
                "INSERT INTO lead_reviews (left_lead_id, right_lead_id, score, evidence, status,"
                " decision, opened_at) VALUES (1, 2, 3.0, '{}', 'decided', 'split', :now)"
            ),
            {"now": now},
        )
    engine.dispose()

    migrate.upgrade(url)

    db = Database.from_url(url)
    [item] = reviews(db)
    db.dispose()
    # Ordered by (source, channel id), whatever the row ids were.
    assert (item.left, item.right) == (("crisp", "chat-9"), ("whatsapp", "971501234567"))
    assert (item.status, item.decision) == ("decided", "split")
    assert not hasattr(LeadReview, "left_lead_id")
