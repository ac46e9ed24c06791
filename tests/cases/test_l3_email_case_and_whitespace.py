"""An email matches on its trimmed, casefolded key; the original is kept for display.

`Sara.Q@Example.COM ` (HubSpot form), `sara.q@example.com` (Crisp) and a WhatsApp lead with the
same phone and no email are one person. The database enforces one lead per email key, so a later
`SARA.Q@EXAMPLE.COM` updates that lead rather than adding one.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.tables import UnifiedLead
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, unified


def add_sara(db: Database, clock: ManualClock) -> None:
    add_lead(db, "hubspot", "2001", "Sara Qasim", email="Sara.Q@Example.COM ",
             phone="+971 50 222 3344", now=clock.now())  # fmt: skip
    add_lead(db, "crisp", "session_sara", "sara", email="sara.q@example.com", now=clock.now())
    add_lead(db, "whatsapp", "971502223344", "Sara Q", phone="971502223344", now=clock.now())


def test_three_channels_one_email_key_are_one_person(db: Database, clock: ManualClock) -> None:
    add_sara(db, clock)

    report = unify_leads(db, now=clock.now())

    [lead] = unified(db)
    assert (lead.email, lead.email_key) == ("Sara.Q@Example.COM", "sara.q@example.com")
    assert (lead.phone, lead.hubspot_contact_id, lead.records) == ("+971502223344", "2001", 3)
    assert (report.auto_merged, report.in_review) == (2, 0)


def test_a_later_upper_case_email_updates_the_lead(db: Database, clock: ManualClock) -> None:
    add_sara(db, clock)
    unify_leads(db, now=clock.now())
    [before] = unified(db)

    clock.advance(60)
    add_lead(db, "crisp", "session_sara_2", None, email="SARA.Q@EXAMPLE.COM", now=clock.now())
    report = unify_leads(db, now=clock.now())

    [after] = unified(db)
    assert after.id == before.id
    assert (after.records, report.created, report.updated) == (4, 0, 1)


def test_the_database_refuses_a_second_lead_with_the_same_email_key(
    db: Database, clock: ManualClock
) -> None:
    def lead(lead_id: str) -> UnifiedLead:
        return UnifiedLead(
            id=lead_id, email="sara.q@example.com", email_key="sara.q@example.com", records=1,
            content_hash="", created_at=clock.now(), updated_at=clock.now(),
        )  # fmt: skip

    with pytest.raises(sa.exc.IntegrityError), db.write() as session:
        session.add_all([lead("LD-1"), lead("LD-2")])
