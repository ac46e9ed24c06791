"""Every fuzzy comparison runs through rapidfuzz with a processor, so case and punctuation never
make two values look different, even when a value reaches a comparator unprepared."""

from __future__ import annotations

import pytest

from ez_pipelines.leads.comparators import COMPARATORS, Level


@pytest.mark.parametrize(
    ("comparator", "left", "right", "expected"),
    [
        # A reordering check on raw text: the scorer alone would see case as difference.
        ("name", "ALI HASSAN", "Ali Hassan", Level.EXACT),
        ("name", "KHAN AHMED", "ahmed khan", Level.EXACT),
        # A lost space, upper case against lower.
        ("name", "EKATERINAN IVANOV", "ekaterina ivanov", Level.CLOSE),
        # Each word of the shorter name within the longer, one of them with keys swapped.
        ("name", "MHOAMMED", "mohammed mahmoud", Level.PARTIAL),
        ("typo", "ALI.HASSAN@X.TEST", "ali.hassan@x.test", Level.EXACT),
        ("text", "12 CHURCH LANE, KILKENNY", "12 church lane kilkenny", Level.EXACT),
    ],
)  # fmt: skip
def test_raw_values_compare_through_a_processor(
    comparator: str, left: str, right: str, expected: Level
) -> None:
    assert COMPARATORS[comparator].compare(left, right) is expected
