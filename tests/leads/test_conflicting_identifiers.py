"""Two validated phones or emails that differ are two identities, never a typo to merge over:
with the same rare full name, or with another identifier agreeing, the pair goes to a person."""

from __future__ import annotations

import random

import pytest

from ez_pipelines.leads.config import LEAD_MATCHING
from ez_pipelines.leads.matching import MatchRecord, Verdict, match

PHONE = "+971501234567"


def numbers(count: int) -> list[str]:
    """Mobile numbers with nothing in common beyond the prefix."""
    rng = random.Random(7)
    return [f"+97150{n:07d}" for n in rng.sample(range(10**7), count)]


def record(record_id: int, name: str, email: str | None, phone: str | None) -> MatchRecord:
    return MatchRecord(record_id, {"name": name, "email": email, "phone": phone})


@pytest.mark.parametrize(
    ("left", "right"),
    [
        # Emails one keystroke apart, the same phone and name: two addresses, maybe two people.
        (("Ali Hassan", "ali1@x.test", PHONE), ("Ali Hassan", "ali2@x.test", PHONE)),
        # Numbers one digit apart, the same email: two numbers.
        (("Ali Hassan", "ali@x.test", PHONE), ("Ali Hassan", "ali@x.test", "+971501234568")),
        # One rare name, another phone and another email.
        (("Zayed Al Falasi", "zayed@x.test", PHONE),
         ("Zayed Al Falasi", "z.falasi@y.test", "+971559876543")),
        # One rare name with a typo, two different phones.
        (("Zayed Al Falasi", None, PHONE), ("Zayed Al Falasy", None, "+971559876543")),
        # One rare name, two different phones, an email on one side only.
        (("Zayed Al Falasi", None, PHONE), ("Zayed Al Falasi", "zayed@x.test", "+971559876543")),
    ],
)  # fmt: skip
def test_conflicting_identifiers_go_to_review(
    left: tuple[str, str | None, str | None], right: tuple[str, str | None, str | None]
) -> None:
    pairs, _ = match([record(1, *left), record(2, *right)], LEAD_MATCHING)

    assert [(p.key, p.verdict) for p in pairs] == [((1, 2), Verdict.REVIEW)]


def test_a_common_name_with_another_phone_is_not_a_question() -> None:
    # Twenty-five people called Mohammed Ali (few enough to compare), each with their own number.
    records = [record(i, "Mohammed Ali", None, n) for i, n in enumerate(numbers(25), start=1)]

    pairs, _ = match(records, LEAD_MATCHING)

    assert pairs == []


def test_a_common_name_is_still_compared_where_a_number_nearly_agrees() -> None:
    # Too many to compare every pair of them.
    records = [record(i, "Mohammed Ali", None, n) for i, n in enumerate(numbers(40), start=1)]
    # The same name, and the first number with its last digit slipped.
    first = str(records[0].values["phone"])
    records.append(record(41, "Muhammad Ali", None, first[:-1] + str((int(first[-1]) + 1) % 10)))

    pairs, _ = match(records, LEAD_MATCHING)

    assert [(p.key, p.verdict) for p in pairs] == [((1, 41), Verdict.REVIEW)]


def test_a_family_phone_with_no_other_question_in_the_batch_goes_to_review() -> None:
    """The only reviews of a batch are the merges a shared number can no longer carry."""
    phone = "+971501234567"
    records = [
        MatchRecord(1, {"name": "Ahmed Khan", "email": "ahmed@x.test", "phone": phone}),
        MatchRecord(2, {"name": None, "email": None, "phone": phone}),
        MatchRecord(3, {"name": "Fatima Noor", "email": "fatima@x.test", "phone": phone}),
    ]

    pairs, report = match(records, LEAD_MATCHING)

    verdicts = {p.key: p.verdict for p in pairs}
    assert verdicts[(1, 2)] is Verdict.REVIEW
    assert verdicts[(2, 3)] is Verdict.REVIEW
    assert report.verdicts.get("review") == 2
    assert "merge" not in report.verdicts


def test_a_rare_name_is_told_from_a_common_one_whatever_else_the_batch_holds() -> None:
    """A full name seen with two numbers is a question; one seen with three is nobody's in
    particular. Records with a number and no name must not change which is which."""
    xavier = [
        MatchRecord(1, {"name": "Xavier Quill", "phone": "+971500000000"}),
        MatchRecord(2, {"name": "Xavier Quill", "phone": "+971559876543"}),
    ]
    yusuf = [
        MatchRecord(10 + i, {"name": "Yusuf Zed", "phone": phone})
        for i, phone in enumerate(("+971521111111", "+971542222222", "+971563333333"))
    ]
    nameless = [MatchRecord(100 + i, {"phone": f"+97150000010{i}"}) for i in range(8)]

    for records in (xavier + yusuf, xavier + yusuf + nameless):
        pairs, _ = match(records, LEAD_MATCHING)

        assert [(p.key, p.verdict) for p in pairs if p.verdict is Verdict.REVIEW] == [
            ((1, 2), Verdict.REVIEW)
        ]
