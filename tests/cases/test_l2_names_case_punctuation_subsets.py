"""Names compared through a processor: case, punctuation and word order do not matter, and
a name that is only a subset of another never merges without a shared phone or email.

rapidfuzz 3 scorers compare strings as given unless handed a processor: `ALI HASSAN` against
`Ali Hassan` scores 30 raw and 100 processed.
"""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, utils

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.leads.comparators import COMPARATORS, Level
from ez_pipelines.leads.unify import unify_leads
from tests.leads.helpers import add_lead, reviews, unified

NAMES = COMPARATORS["name"]


def level(left: str, right: str) -> Level:
    return NAMES.compare(NAMES.prepare(left), NAMES.prepare(right))


def test_rapidfuzz_without_a_processor_sees_case_as_difference() -> None:
    assert fuzz.WRatio("ALI HASSAN", "Ali Hassan") == pytest.approx(30)
    assert fuzz.WRatio("ALI HASSAN", "Ali Hassan", processor=utils.default_process) == 100


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ALI HASSAN", "Ali Hassan", Level.EXACT),  # case
        ("Fatima Al-Mansouri", "fatima al mansouri", Level.EXACT),  # punctuation
        ("Fatima Al-Mansouri", "Fatima Almansouri", Level.EXACT),  # the article joined
        ("Khan Ahmed", "Ahmed Khan", Level.EXACT),  # a real reordering
        ("Mohammed Saeed", "Muhammad Said", Level.EXACT),  # transliterations
        ("Mohamed Saeed", "MOHAMMAD SAEED", Level.EXACT),
        ("Abdul Rahman Ali", "Abdulrahman Ali", Level.EXACT),
        ("José Núñez", "Jose Nunez", Level.EXACT),  # diacritics
        ("Ahmed Khan", "Ahmed Khann", Level.CLOSE),  # a typo
        ("Ahmed Khan", "Ahmed Ali Khan", Level.PARTIAL),  # a subset: never the same
        ("Ahmed Khan", "Fatima Khan", Level.DIFFERENT),
    ],
)
def test_name_levels(left: str, right: str, expected: Level) -> None:
    assert level(left, right) is expected


def test_a_subset_name_alone_goes_to_review_not_merge(db: Database, clock: ManualClock) -> None:
    assert fuzz.token_set_ratio("Ahmed Khan", "Ahmed Ali Khan") == 100
    assert fuzz.WRatio("Ahmed Khan", "Ahmed Ali Khan", processor=utils.default_process) == 95
    add_lead(db, "hubspot", "form-1", "Ahmed Khan", email="ahmed@example.test", now=clock.now())
    add_lead(db, "crisp", "chat-1", "Ahmed Ali Khan", phone="050 765 4321", now=clock.now())

    report = unify_leads(db, now=clock.now())

    assert (report.unified, report.auto_merged, report.in_review) == (2, 0, 1)
    [item] = reviews(db, "open")
    assert '"name": "partial"' in item.evidence


def test_identical_names_alone_never_merge(db: Database, clock: ManualClock) -> None:
    add_lead(db, "hubspot", "form-1", "Fatima Al-Mansouri", now=clock.now())
    add_lead(db, "crisp", "chat-1", "fatima al mansouri", now=clock.now())

    report = unify_leads(db, now=clock.now())

    assert (report.unified, report.in_review) == (2, 1)


def test_a_subset_name_with_a_shared_phone_merges(db: Database, clock: ManualClock) -> None:
    add_lead(db, "hubspot", "form-1", "Ahmed Khan", phone="+971 50 765 4321", now=clock.now())
    add_lead(db, "whatsapp", "971507654321", "Ahmed Ali Khan", phone="971507654321",
             now=clock.now())  # fmt: skip

    report = unify_leads(db, now=clock.now())

    assert (report.unified, report.auto_merged, report.in_review) == (1, 1, 0)
    assert unified(db)[0].full_name == "Ahmed Ali Khan"


def test_one_name_with_two_different_valid_phones_goes_to_review(
    db: Database, clock: ManualClock
) -> None:
    add_lead(db, "hubspot", "form-1", "Ahmed Khan", phone="+971 50 765 4321", now=clock.now())
    add_lead(db, "crisp", "chat-1", "Ahmed Khan", phone="+971 55 111 2233", now=clock.now())

    report = unify_leads(db, now=clock.now())

    assert (report.unified, report.in_review) == (2, 1)


def test_a_shared_phone_with_a_different_name_goes_to_review(
    db: Database, clock: ManualClock
) -> None:
    # A family's one number: two people, until a person says otherwise.
    add_lead(db, "hubspot", "form-1", "Ahmed Al-Mansouri", phone="+971 50 765 4321",
             now=clock.now())  # fmt: skip
    add_lead(db, "crisp", "chat-1", "Fatima Al-Mansouri", phone="0507654321", now=clock.now())

    report = unify_leads(db, now=clock.now())

    assert (report.unified, report.auto_merged, report.in_review) == (2, 0, 1)
