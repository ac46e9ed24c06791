"""A slip of the keys in an email merges where the number agrees too, as long as the slip is
not in the digits; without a second identifier, two addresses for one name are a question;
name words spelled a little otherwise fit; one number with two different addresses keeps its
records apart."""

from __future__ import annotations

import pytest

from ez_pipelines.leads.clustering import Edge, cluster
from ez_pipelines.leads.comparators import COMPARATORS, Level
from ez_pipelines.leads.config import LEAD_MATCHING
from ez_pipelines.leads.matching import MatchRecord, Verdict, match

PHONE = "+971501234567"
NAMES = COMPARATORS["name"]


def record(record_id: int, name: str | None, email: str | None, phone: str | None) -> MatchRecord:
    return MatchRecord(record_id, {"name": name, "email": email, "phone": phone})


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # A letter dropped, the same number and name.
        (("Sara Qasim", "sara.qasim12@x.test", PHONE), ("Sara Qasim", "sara.qasm12@x.test", PHONE)),
        # A letter and a digit swapped, the same number, a name on one side only.
        (("Hannah Evans", "h.evans9924@x.test", PHONE), (None, "h.evan9s924@x.test", PHONE)),
    ],
)  # fmt: skip
def test_an_email_typo_with_everything_else_agreeing_merges(
    left: tuple[str | None, str, str | None], right: tuple[str | None, str, str | None]
) -> None:
    pairs, _ = match([record(1, *left), record(2, *right)], LEAD_MATCHING)

    assert [(p.key, p.verdict) for p in pairs] == [((1, 2), Verdict.MERGE)]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # No number at all, the same full name: two addresses a letter apart.
        (("Mark Cruz", "m.cruz324@x.test", None), ("Mark Cruz", "m.crus324@x.test", None)),
        (("Ahmed Khan", "ahmed.k@x.test", None), ("Ahmed Khan", "ahmed.a@x.test", None)),
        # Punctuation tells addresses apart: these are two, not one written twice.
        (("Sara Qasim", "sara.q@x.test", None), ("Sara Qasim", "sara_q@x.test", None)),
        (("Sara Qasim", "sara@mail.x.test", None), ("Sara Qasim", "sara@mail-x.test", None)),
    ],
)  # fmt: skip
def test_two_addresses_for_one_name_go_to_a_person(
    left: tuple[str, str, None], right: tuple[str, str, None]
) -> None:
    pairs, _ = match([record(1, *left), record(2, *right)], LEAD_MATCHING)

    assert [(p.key, p.verdict) for p in pairs] == [((1, 2), Verdict.REVIEW)]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # A digit dropped: another account.
        (("Maria Santos", "maria.santos3770@x.test", PHONE),
         ("Maria Santos", "maria.santos770@x.test", PHONE)),
        # Two digits swapped: another account.
        (("Maria Santos", "maria.santos37@x.test", PHONE),
         ("Maria Santos", "maria.santos73@x.test", PHONE)),
        # A letter slip, but the names are two people's.
        (("Sara Qasim", "family.qasim@x.test", PHONE), ("Omar Qasim", "family.qasm@x.test", PHONE)),
        # A letter slip and the same first name only: no second identifier, no full name.
        (("Mark", "m.cruz324@x.test", None), ("Mark", "m.crus324@x.test", None)),
    ],
)  # fmt: skip
def test_a_digit_slip_or_a_slip_without_support_does_not_merge(
    left: tuple[str, str, str | None], right: tuple[str, str, str | None]
) -> None:
    pairs, _ = match([record(1, *left), record(2, *right)], LEAD_MATCHING)

    assert all(p.verdict is not Verdict.MERGE for p in pairs)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("Mansour Walker", "Masoor Walker", Level.PARTIAL),  # a letter lost, a vowel changed
        ("Kavya Siyer", "kavyasiyer", Level.CLOSE),  # the space lost
        ("Kavya", "kavyasiyer", Level.PARTIAL),  # a first name run into the family name
        ("Aisha Mahmoud", "Rahul Mahmoud", Level.DIFFERENT),  # relatives
        ("Ahmed Haddad", "Hamad Haddad", Level.DIFFERENT),  # another first letter
        ("Omar Al-Suwaydi", "Umer Al Suwaidi", Level.CLOSE),  # a short vowel written two ways
        ("Osman Khalil", "Usman Khalil", Level.CLOSE),
        # Short names with little but a vowel between them, relatives as often as not.
        ("Otto Becker", "Ute Becker", Level.DIFFERENT),
        ("Ole Hansen", "Ula Hansen", Level.DIFFERENT),
        ("Elena Novak", "Ilona Novak", Level.DIFFERENT),
        ("Eva Novak", "Ivo Novak", Level.DIFFERENT),
        ("Omar Saleh", "Amr Saleh", Level.DIFFERENT),  # two names
    ],
)
def test_name_words_spelled_a_little_otherwise(left: str, right: str, expected: Level) -> None:
    assert NAMES.compare(NAMES.prepare(left), NAMES.prepare(right)) is expected


def test_one_number_with_two_addresses_keeps_its_records_apart() -> None:
    """A relative's record on the family phone with their own email never chains the family
    into one lead through a record that has only the number."""
    records = [
        record(1, None, "rahul.kumar1@x.test", PHONE),
        record(2, None, "obaid.kumar2@x.test", PHONE),
        record(3, None, None, PHONE),
    ]

    pairs, _ = match(records, LEAD_MATCHING)
    edges = [Edge(p.left, p.right, p.score) for p in pairs if p.verdict is Verdict.MERGE]
    apart = [p.key for p in pairs if p.apart]
    found = cluster([1, 2, 3], edges, soft_cannot_link=apart).cluster_of()

    assert (1, 2) in apart
    assert found[1] != found[2]
