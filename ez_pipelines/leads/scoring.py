"""Scoring one candidate pair: each field compared, the levels weighed, a verdict given.

The rules are the configuration's (see `config.MatchConfig`); nothing here knows what a lead is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

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


class Scorer:
    """Scores pairs of prepared records by the configuration's rules and thresholds."""

    def __init__(self, prepared: PreparedRecords) -> None:
        config = prepared.config
        self.values = prepared.values
        self.fields = prepared.fields
        self.config = config
        self.distinctive = prepared.distinctive
        # Few combinations of levels occur: each is one tuple, shared by its pairs, so the
        # pairs are small in memory and cheap to send back from a worker.
        self._levels: dict[tuple[Level, ...], tuple[Level, ...]] = {}
        self.rules = [
            (
                COMPARATORS[rule.comparator].compare,
                dict(rule.weights),
                rule.identifier,
                rule.vetoes,
                rule.hint,
                rule.letter_slips,
            )
            for rule in config.rules
        ]

    def score(self, left: int, right: int) -> ScoredPair:
        config = self.config
        a, b = self.values[left], self.values[right]
        score = hinted = 0.0
        conflicts = vetoed = supported = distinctive = spoke = differing = slipped = False
        full_name = False
        agreeing = 0
        levels = []
        for index, (compare, weights, identifier, vetoes, hint, slips) in enumerate(self.rules):
            level = compare(a[index], b[index])
            levels.append(level)
            if hint:
                hinted += weights.get(level, 0.0)
                supported |= level is Level.EXACT
                continue
            score += weights.get(level, 0.0)
            if identifier:
                spoke |= level is not Level.MISSING
                agreeing += level is Level.EXACT
                # Validated values a keystroke apart are two addresses, not one mistyped; unless
                # the slip is in letters and the rest of the evidence agrees (below).
                if level is Level.CLOSE and slips and letters_slipped(a[index], b[index]):
                    slipped = True
                else:
                    conflicts |= level is Level.CLOSE or level is Level.DIFFERENT
                supported |= level is Level.EXACT or level is Level.CLOSE
                differing |= level is Level.DIFFERENT
            if vetoes:
                vetoed |= level is Level.DIFFERENT
                full_name |= level is Level.EXACT and " " in str(a[index])
                distinctive |= (
                    level in AGREEING_NAMES
                    and a[index] in self.distinctive[index]
                    and b[index] in self.distinctive[index]
                )
        if not spoke:
            score += hinted
        # `sara.q@` and `sar.q@` with one number and one name, or with one full name: one
        # address, mistyped once.
        if slipped:
            typo = (agreeing and not vetoed) or full_name
            conflicts |= not typo
            agreeing += typo

        mergeable = (
            score >= config.merge_at
            and (agreeing > 0 or not config.require_identifier)
            and not conflicts
            and not vetoed
        )
        if mergeable:
            verdict = Verdict.MERGE
        elif distinctive or (
            score >= config.review_at and (supported or not config.require_identifier)
        ):
            verdict = Verdict.REVIEW
        else:
            verdict = Verdict.DISTINCT
        apart = (vetoed and agreeing < 2) or (differing and agreeing == 1)
        shared = self._levels.setdefault(tuple(levels), tuple(levels))
        return ScoredPair(left, right, score, verdict, shared, self.fields, apart)


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
