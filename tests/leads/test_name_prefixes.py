"""The Arabic article reads the same written apart, hyphenated or joined, as `al` or `el`."""

from __future__ import annotations

import pytest

from ez_pipelines.leads.names import name_key


@pytest.mark.parametrize(
    "spellings",
    [
        ("Elsayed", "El Sayed", "El-Sayed", "Al Sayed", "Alsayed"),
        ("Mona Elmansouri", "Mona El Mansouri", "Mona Al-Mansouri", "mona almansouri"),
        ("Hassan Elamin", "Hassan El Amin", "Hassan Al-Amin"),
    ],
)
def test_the_article_reads_the_same_however_it_is_written(spellings: tuple[str, ...]) -> None:
    assert len({name_key(spelling) for spelling in spellings}) == 1


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Elena Petrova", "elena petrova"),  # a word that only starts like the article
        ("Ellen Smith", "ellen smith"),
        ("Alice Martin", "alice martin"),
    ],
)
def test_a_name_that_only_starts_like_the_article_keeps_its_spelling(name: str, key: str) -> None:
    assert name_key(name) == key
