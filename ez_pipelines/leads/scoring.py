"""Scoring one candidate pair: each field compared, the levels weighed, a verdict given.

The rules are the configuration's (see `config.MatchConfig`); nothing here knows what a lead is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from ez_pipelines.leads.comparators import COMPARATORS, Level, Prepared

if TYPE_CHECKING:
    from ez_pipelines.leads.matching import PreparedRecords

AGREEING_NAMES = (Level.EXACT, Level.CLOSE, Level.PARTIAL)
"""The levels at which a vetoing field (a name) supports its pair."""


class Verdict(StrEnum):
    MERGE = "merge"
    REVIEW = "review"
    DISTINCT = "distinct"


@dataclass(frozen=True, slots=True)
class ScoredPair:
    left: int
    right: int
    score: float
    verdict: Verdict
    levels: tuple[Level, ...]
    fields: tuple[str, ...]
    """The field each level is about (one tuple shared by every pair)."""
    apart: bool = False
    """A vetoing field (the name) says two people, and at most one identifier says otherwise;
    or one identifier agrees and another differs (one number, two addresses: a family's phone):
    their leads are kept apart. (Two identifiers agreeing against the name is more likely a
    garbled name: a question for review, not a wall.)"""

    @property
    def key(self) -> tuple[int, int]:
        return (self.left, self.right)

    def evidence(self) -> dict[str, Level]:
        """Each field's comparison: what a reviewer is shown."""
        return dict(zip(self.fields, self.levels, strict=True))


LEVELS = tuple(Level)
"""The levels in the order the batch scorer codes them (a level's code is its index here)."""
_CODE = {level: code for code, level in enumerate(LEVELS)}
EXACT, CLOSE, PARTIAL, DIFFERENT, MISSING = (_CODE[level] for level in LEVELS)
_VERDICTS = (Verdict.MERGE, Verdict.REVIEW, Verdict.DISTINCT)


class Scorer:
    """Scores candidate pairs of prepared records by the configuration's rules and thresholds.

    A batch at a time, field by field: each field's comparator runs once per distinct pair of
    values in the batch (most pairs share their values with others: a name block's names, a
    family's number), and the rules combine the fields' levels as arrays.
    """

    def __init__(self, prepared: PreparedRecords) -> None:
        self.prepared = prepared
        self.config = prepared.config
        self.fields = prepared.fields
        # Few combinations of levels occur: each is one tuple, shared by its pairs.
        self._levels: dict[int, tuple[Level, ...]] = {}

    def score(self, packed: np.ndarray) -> tuple[list[ScoredPair], dict[Verdict, int]]:
        """The pairs (`left << 32 | right`) that are not plainly distinct (merges, reviews and
        the pairs kept apart), and how many pairs got each verdict."""
        config, prepared = self.config, self.prepared
        left, right = packed >> 32, packed & 0xFFFFFFFF
        at_left, at_right = prepared.positions(left), prepared.positions(right)
        n = len(packed)
        score, hinted = np.zeros(n), np.zeros(n)
        conflicts, vetoed, supported, distinctive, spoke, differing, slipped = (
            np.zeros(n, dtype=bool) for _ in range(7)
        )
        agreeing = np.zeros(n, dtype=np.int64)
        levels = []
        for index, rule in enumerate(config.rules):
            codes = prepared.codes[index]
            a, b = codes[at_left], codes[at_right]
            level, close_slip = self._compare(index, a, b, slips=rule.letter_slips)
            levels.append(level)
            weight = np.array([rule.weight(lv) for lv in LEVELS])[level]
            if rule.hint:
                hinted += weight
                supported |= level == EXACT
                continue
            score += weight
            if rule.identifier:
                spoke |= level != MISSING
                agreeing += level == EXACT
                # Validated values a keystroke apart are two addresses, not one mistyped;
                # unless the slip is in letters and the rest of the evidence agrees (below).
                slipped |= close_slip
                conflicts |= ((level == CLOSE) | (level == DIFFERENT)) & ~close_slip
                supported |= (level == EXACT) | (level == CLOSE)
                differing |= level == DIFFERENT
            if rule.vetoes:
                agrees = (level == EXACT) | (level == CLOSE) | (level == PARTIAL)
                vetoed |= level == DIFFERENT
                rare = prepared.distinctive_codes[index]
                distinctive |= agrees & rare[a] & rare[b]
        score += np.where(spoke, 0.0, hinted)
        # `sara.q@` and `sar.q@` with one number and names that do not differ: one address,
        # mistyped once. Without a second identifier agreeing, two addresses for one name are
        # a question for a person, however alike.
        typo = slipped & (agreeing > 0) & ~vetoed
        conflicts |= slipped & ~typo
        agreeing += typo
        mergeable = (
            (score >= config.merge_at)
            & ((agreeing > 0) | (not config.require_identifier))
            & ~conflicts
            & ~vetoed
        )
        review = ~mergeable & (
            distinctive
            | ((score >= config.review_at) & (supported | (not config.require_identifier)))
        )
        verdict = np.where(mergeable, 0, np.where(review, 1, 2))
        apart = (vetoed & (agreeing < 2)) | (differing & (agreeing == 1))
        counts = np.bincount(verdict, minlength=3)
        kept = np.flatnonzero((verdict != 2) | apart)
        combined = np.zeros(len(kept), dtype=np.int64)
        for level in levels:
            combined = combined * len(LEVELS) + level[kept]
        pairs = [
            ScoredPair(a, b, s, _VERDICTS[v], self._levels_of(c), self.fields, x)
            for a, b, s, v, c, x in zip(
                left[kept].tolist(),
                right[kept].tolist(),
                score[kept].tolist(),
                verdict[kept].tolist(),
                combined.tolist(),
                apart[kept].tolist(),
                strict=True,
            )
        ]
        return pairs, {v: int(c) for v, c in zip(_VERDICTS, counts, strict=True)}

    def _compare(
        self, index: int, a: np.ndarray, b: np.ndarray, *, slips: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each pair's level on one field, and whether a `close` level is a slip of letters
        (for `letter_slips` rules). A pair missing either value is `missing`, whatever the
        comparator; otherwise the comparator runs once per distinct pair of values."""
        compare = COMPARATORS[self.config.rules[index].comparator].compare
        values = self.prepared.distinct_values[index]
        level = np.full(len(a), MISSING, dtype=np.int8)
        slip = np.zeros(len(a), dtype=bool)
        same = (a == b) & (a >= 0)
        codes, inverse = np.unique(a[same], return_inverse=True)
        level[same] = np.array(
            [_CODE[compare(values[c], values[c])] for c in codes.tolist()], dtype=np.int8
        )[inverse]
        differ = (a != b) & (a >= 0) & (b >= 0)
        width = len(values)
        pairs, inverse = np.unique(a[differ] * width + b[differ], return_inverse=True)
        found, slipped = [], []
        for x, y in zip((pairs // width).tolist(), (pairs % width).tolist(), strict=True):
            compared = compare(values[x], values[y])
            found.append(_CODE[compared])
            slipped.append(
                slips and compared is Level.CLOSE and letters_slipped(values[x], values[y])
            )
        level[differ] = np.array(found, dtype=np.int8)[inverse]
        slip[differ] = np.array(slipped, dtype=bool)[inverse]
        return level, slip

    def _levels_of(self, combined: int) -> tuple[Level, ...]:
        known = self._levels.get(combined)
        if known is None:
            codes, rest = [], combined
            for _ in self.fields:
                rest, code = divmod(rest, len(LEVELS))
                codes.append(LEVELS[code])
            known = self._levels[combined] = tuple(reversed(codes))
        return known


def letters_slipped(left: Prepared, right: Prepared) -> bool:
    """Whether two values a keystroke apart differ by more than digits: `sara.q` and `sraa.q`
    may be one address mistyped, and so may `sara9s` and `saras9` (two keys swapped), while
    `sara770` and `sara3770`, or `sara37` and `sara73`, are two accounts."""
    x, y = str(left), str(right)
    start = 0
    while start < min(len(x), len(y)) and x[start] == y[start]:
        start += 1
    end = 0
    while end < min(len(x), len(y)) - start and x[-1 - end] == y[-1 - end]:
        end += 1
    ours, theirs = x[start : len(x) - end], y[start : len(y) - end]
    if len(ours) == 2 and ours == theirs[::-1]:
        return not ours.isdigit()
    return not any(c.isdigit() for c in ours + theirs)
