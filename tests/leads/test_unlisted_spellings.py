"""Latin spellings of Arabic names that no table lists still compare as one name: the same
consonants, word for word, are a close name; names that differ in them stay different."""

from __future__ import annotations

import pytest

from ez_pipelines.leads.comparators import COMPARATORS, Level

NAMES = COMPARATORS["name"]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("Sherma Gupte", "Sharma Gupta", Level.CLOSE),  # vowels the table never lists
        ("Mohemmed Al Khelid", "Mohammed Al Khalid", Level.CLOSE),
        ("Layla Al Zeabi", "Layla Al-Zaabi", Level.CLOSE),
        ("Rim", "Reem Al Mansouri", Level.PARTIAL),  # a first name alone, spelled otherwise
        ("Ahmed Haddad", "Hamad Haddad", Level.DIFFERENT),  # other consonants: another name
        ("Omar Nasser", "Amr Nasser", Level.DIFFERENT),
    ],
)
def test_unlisted_spellings(left: str, right: str, expected: Level) -> None:
    assert NAMES.compare(NAMES.prepare(left), NAMES.prepare(right)) is expected
