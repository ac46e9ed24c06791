"""Field comparators: how alike two values of one field are, as a level a configuration weighs.

Every fuzzy score goes through rapidfuzz with a processor. Without one, rapidfuzz 3 compares the
strings as given: `ALI HASSAN` against `Ali Hassan` scores 30, though it is the same name.
Values are prepared once per record (`prepare`), then compared pairwise (`compare`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from rapidfuzz import fuzz, utils
from rapidfuzz.distance import OSA, JaroWinkler

from ez_pipelines.leads.names import fold, name_key, skeleton


class Level(StrEnum):
    EXACT = "exact"
    """The same value, once prepared."""
    CLOSE = "close"
    """A typo or a small variation away."""
    PARTIAL = "partial"
    """One contains the other: `Ahmed Khan` within `Ahmed Ali Khan`."""
    DIFFERENT = "different"
    MISSING = "missing"
    """At least one side has no value: no evidence either way."""


Prepared = str | date | None


@dataclass(frozen=True)
class Comparator:
    """`prepare` turns a raw value into what is compared (None stays None: a missing value);
    `compare` gives two prepared values' level. The engine calls `compare` once per distinct
    pair of values and counts a pair missing either value as `missing` without asking."""

    name: str
    prepare: Callable[[object], Prepared]
    compare: Callable[[Prepared, Prepared], Level]


def _text_or_none(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _prepare_name(value: object) -> str | None:
    text = _text_or_none(value)
    return name_key(text) or None if text else None


def _prepare_folded(value: object) -> str | None:
    text = _text_or_none(value)
    return fold(text) or None if text else None


def _prepare_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    text = _text_or_none(value)
    return date.fromisoformat(text) if text else None


def compare_exact(left: Prepared, right: Prepared) -> Level:
    if left is None or right is None:
        return Level.MISSING
    return Level.EXACT if left == right else Level.DIFFERENT


def _case_and_space(value: str) -> str:
    """An identifier as typed, less what never tells two apart: case and surrounding space.
    Its punctuation stays: `sara.q@` and `sara_q@` are two addresses."""
    return value.strip().casefold()


def compare_typo(left: Prepared, right: Prepared) -> Level:
    """Identifiers typed by hand: one slip of a key is close, not a second identity."""
    if not isinstance(left, str) or not isinstance(right, str):
        return Level.MISSING
    if left == right:
        return Level.EXACT
    # Optimal string alignment: a swapped pair of keys is one slip, as a person makes it.
    slips = OSA.distance(left, right, processor=_case_and_space, score_cutoff=1)
    if slips == 0:
        return Level.EXACT
    return Level.CLOSE if slips <= 1 else Level.DIFFERENT


NAME_CLOSE_AT = 90.0


def compare_names(left: Prepared, right: Prepared) -> Level:
    """Names as people write them: word order ignored, typos close, a subset partial."""
    if not isinstance(left, str) or not isinstance(right, str):
        return Level.MISSING
    if left == right:
        return Level.EXACT
    process = utils.default_process
    # A reordering (`Khan Ahmed`, `Ahmed Khan`) is the same words: sorted, they are equal.
    reordered = fuzz.token_sort_ratio(left, right, processor=process)
    if reordered == 100:
        return Level.EXACT
    if reordered >= NAME_CLOSE_AT:
        return Level.CLOSE
    # A lost or extra space: `ekaterinan ivanov`, `ekaterina ivanov`.
    joined = fuzz.ratio(left.replace(" ", ""), right.replace(" ", ""), processor=process)
    if joined >= NAME_CLOSE_AT:
        return Level.CLOSE
    # token_set_ratio is 100 for any subset, so it only ever says `partial`, never the same.
    if fuzz.token_set_ratio(left, right, processor=process) == 100:
        return Level.PARTIAL
    # A spelling no table lists: the same consonants, word for word.
    if sorted(map(skeleton, left.split())) == sorted(map(skeleton, right.split())):
        return Level.CLOSE
    if _initials_fit(left.split(), right.split()) or _run_together(left.split(), right.split()):
        return Level.PARTIAL
    return Level.DIFFERENT


WORD_CLOSE_AT = 80.0


def _initials_fit(left: list[str], right: list[str]) -> bool:
    """`sara q` within `sara qasim`, `mhoammed` within `mohammed mahmoud`: each word of the
    shorter name is a word of the longer one, its initial, or a slip of the keys away."""
    shorter, longer = sorted((left, right), key=lambda words: (len(words), len("".join(words))))
    remaining = list(longer)
    for word in shorter:
        found = next((w for w in remaining if _word_fits(word, w)), None)
        if found is None:
            return False
        remaining.remove(found)
    return True


def _run_together(left: list[str], right: list[str]) -> bool:
    """`kavyasiyer` against `kavya`: a name typed without its space, read as one word that
    begins with the other name's first word, or the other way round."""
    shorter, longer = sorted((left, right), key=len)
    if len(shorter) != 1:
        return False
    word, first = shorter[0], longer[0]
    if min(len(word), len(first)) < 4:
        return False
    return "".join(longer).startswith(word) or word.startswith(first)


WORD_ALIKE_AT = 0.75


def _word_fits(word: str, other: str) -> bool:
    if word == other or (len(word) == 1 and other.startswith(word)):
        return True
    # Three letters carry a name's consonants (`rim`, `reem`); fewer could be anyone's. A word
    # with the same first letter and mostly alike after it (Jaro-Winkler, which weighs the
    # start most) is a slip or another spelling: `masoor`, `mansour`; `ahmed`, `hamad` are not.
    if min(len(word), len(other)) >= 3:
        if skeleton(word) == skeleton(other):
            return True
        alike = JaroWinkler.similarity(word, other, processor=utils.default_process)
        if word[0] == other[0] and alike >= WORD_ALIKE_AT:
            return True
    if len(word) < 4 or len(other) < 4:
        return False
    # One slip (a swapped pair counts as one), or a longer word mostly the same.
    slips = OSA.distance(word, other, processor=utils.default_process, score_cutoff=1)
    return slips <= 1 or fuzz.ratio(word, other, processor=utils.default_process) >= WORD_CLOSE_AT


TEXT_EXACT_AT = 0.97
TEXT_CLOSE_AT = 0.88


def compare_text(left: Prepared, right: Prepared) -> Level:
    """Free text (addresses): Jaro-Winkler over the folded words."""
    if not isinstance(left, str) or not isinstance(right, str):
        return Level.MISSING
    similarity = JaroWinkler.normalized_similarity(left, right, processor=utils.default_process)
    if similarity >= TEXT_EXACT_AT:
        return Level.EXACT
    if similarity >= TEXT_CLOSE_AT:
        return Level.CLOSE
    if fuzz.token_set_ratio(left, right, processor=utils.default_process) == 100:
        return Level.PARTIAL
    return Level.DIFFERENT


def compare_dates(left: Prepared, right: Prepared) -> Level:
    """Dates of birth: a swapped day and month, or one field off, is close."""
    if not isinstance(left, date) or not isinstance(right, date):
        return Level.MISSING
    if left == right:
        return Level.EXACT
    swapped = left.day == right.month and left.month == right.day and left.year == right.year
    same_fields = sum((left.year == right.year, left.month == right.month, left.day == right.day))
    return Level.CLOSE if swapped or same_fields == 2 else Level.DIFFERENT


COMPARATORS: dict[str, Comparator] = {
    "exact": Comparator("exact", _text_or_none, compare_exact),
    "typo": Comparator("typo", _text_or_none, compare_typo),
    "name": Comparator("name", _prepare_name, compare_names),
    "text": Comparator("text", _prepare_folded, compare_text),
    "date": Comparator("date", _prepare_date, compare_dates),
}
