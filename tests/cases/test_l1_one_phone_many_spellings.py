"""One phone number, written six ways by three channels, is one person.

Expected E.164 for all: +971501234567. The default region comes from the channel, never from the
server's locale; a number that is not valid, or valid only in another region than the channel's,
is never merged on: it goes to review.
"""

from __future__ import annotations

import pytest

from ez_pipelines.canonical.contact_points import parse_channel_phone
from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, membership, reviews, unified

SPELLINGS = [
    # (raw, channel, its expected region, international sender ids)
    ("+971 50 123 4567", "hubspot", "AE", False),
    ("050 123 4567", "crisp", "AE", False),
    ("00971 50 123 4567", "hubspot", "AE", False),
    ("+971 050 123 4567", "crisp", "AE", False),
    ("971501234567", "whatsapp", "AE", True),
    ("00971501234567", "crisp", "AE", False),
]


@pytest.mark.parametrize(("raw", "channel", "region", "international"), SPELLINGS)
def test_each_spelling_reads_as_the_same_number_in_its_channels_region(
    raw: str, channel: str, region: str, international: bool
) -> None:
    phone = parse_channel_phone(raw, region, international=international)

    assert (phone.e164, phone.status) == ("+971501234567", "valid")


def test_six_spellings_from_three_channels_collapse_into_one_lead(
    db: Database, clock: ManualClock
) -> None:
    names = ["Omar Haddad", "omar haddad", "OMAR HADDAD", "Omar  Haddad.", "Omar", None]
    for index, ((raw, channel, region, _), name) in enumerate(zip(SPELLINGS, names, strict=True)):
        add_lead(db, channel, f"ref-{index}", name, phone=raw, region=region, now=clock.now())

    report = unify_leads(db, now=clock.now())

    [lead] = unified(db)
    assert lead.phone == "+971501234567"
    assert set(membership(db).values()) == {lead.id}
    assert (report.records, report.unified, report.auto_merged, report.in_review) == (6, 1, 5, 0)


def test_a_wrong_default_region_is_never_stored_as_a_foreign_number() -> None:
    misread = parse_channel_phone("00971501234567", "US")

    assert misread.e164 is None
    assert misread.status == "invalid"
    assert misread.candidate == "+100971501234567"


def test_a_number_valid_only_in_another_region_than_the_channels_is_not_trusted() -> None:
    foreign = parse_channel_phone("+44 7911 123456", "AE")

    assert (foreign.e164, foreign.status, foreign.candidate) == (
        None,
        "other_region",
        "+447911123456",
    )


def test_an_untrusted_number_goes_to_review_instead_of_merging(
    db: Database, clock: ManualClock
) -> None:
    add_lead(db, "hubspot", "form-1", "Omar Haddad", phone="+971 50 123 4567", now=clock.now())
    # The same digits, captured by a channel configured for the wrong region.
    add_lead(db, "crisp", "chat-1", "Omar Haddad", phone="00971501234567", region="US",
             now=clock.now())  # fmt: skip

    unify_leads(db, now=clock.now())

    assert len(unified(db)) == 2
    [item] = reviews(db, "open")
    assert item.evidence and '"phone": "missing"' in item.evidence
