"""The matching engine: block, compare, score and classify pairs of records.

Generic over what a record is: a record is an integer id and a mapping of field values, and a
`MatchConfig` says which fields count and how. Blocking keeps the work near-linear: only records
that share a blocking key are compared, and blocks too large to say anything are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ez_pipelines.leads.comparators import COMPARATORS, Level, Prepared
from ez_pipelines.leads.config import MatchConfig


class Verdict(StrEnum):
    MERGE = "merge"
    REVIEW = "review"
    DISTINCT = "distinct"


@dataclass(frozen=True)
class MatchRecord:
    id: int
    values: Mapping[str, object]


@dataclass(frozen=True)
class ScoredPair:
    left: int
    right: int
    score: float
    verdict: Verdict
    levels: Mapping[str, Level]
    """Each field's comparison: the evidence a reviewer is shown."""

    @property
    def key(self) -> tuple[int, int]:
        return (self.left, self.right)


@dataclass
class MatchReport:
    records: int = 0
    pairs: int = 0
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)


class PreparedRecords:
    """Every record's fields prepared once: the comparators then only compare."""

    def __init__(self, records: Iterable[MatchRecord], config: MatchConfig) -> None:
        self.config = config
        self.fields = [rule.field for rule in config.rules]
        self.values: dict[int, tuple[Prepared, ...]] = {}
        self.blocking: dict[int, dict[str, object]] = {}
        prepares = [COMPARATORS[rule.comparator].prepare for rule in config.rules]
        for record in records:
            prepared = tuple(
                prepare(record.values.get(name))
                for name, prepare in zip(self.fields, prepares, strict=True)
            )
            self.values[record.id] = prepared
            named = dict(zip(self.fields, prepared, strict=True))
            self.blocking[record.id] = self._blocking_values(named)

    def _blocking_values(self, prepared: dict[str, Prepared]) -> dict[str, object]:
        values: dict[str, object] = dict(prepared)
        for name, recipe in self.config.derived.items():
            how, _, source = recipe.partition(":")
            if how != "first_last":
                raise ValueError(f"unknown derived blocking key {recipe!r}")
            words = str(prepared.get(source) or "").split()
            values[name] = f"{words[0]} {words[-1]}" if len(words) > 1 else None
        return values


def candidate_pairs(prepared: PreparedRecords, report: MatchReport) -> Iterator[tuple[int, int]]:
    """Each pair of records sharing a blocking key, once, the smaller id first."""
    seen: set[int] = set()
    for rule in prepared.config.blocking:
        blocks: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for record_id, values in prepared.blocking.items():
            key = tuple(values.get(name) for name in rule.fields)
            if all(part is not None for part in key):
                blocks[key].append(record_id)
        label = "+".join(rule.fields)
        for members in blocks.values():
            if len(members) < 2:
                continue
            if len(members) > rule.max_block:
                report.skipped_blocks[label] = report.skipped_blocks.get(label, 0) + 1
                continue
            members.sort()
            for i, left in enumerate(members):
                for right in members[i + 1 :]:
                    packed = (left << 32) | right
                    if packed not in seen:
                        seen.add(packed)
                        yield left, right


def score_pair(prepared: PreparedRecords, left: int, right: int) -> ScoredPair:
    config = prepared.config
    a, b = prepared.values[left], prepared.values[right]
    score = 0.0
    identifier_agrees = identifier_conflicts = vetoed = False
    levels: dict[str, Level] = {}
    for index, rule in enumerate(config.rules):
        level = COMPARATORS[rule.comparator].compare(a[index], b[index])
        levels[rule.field] = level
        score += rule.weight(level)
        if rule.identifier:
            identifier_agrees |= level is Level.EXACT
            identifier_conflicts |= level is Level.DIFFERENT
        if rule.vetoes and level is Level.DIFFERENT:
            vetoed = True

    mergeable = (
        score >= config.merge_at
        and (identifier_agrees or not config.require_identifier)
        and not identifier_conflicts
        and not vetoed
    )
    if mergeable:
        verdict = Verdict.MERGE
    elif score >= config.review_at:
        verdict = Verdict.REVIEW
    else:
        verdict = Verdict.DISTINCT
    return ScoredPair(left, right, score, verdict, levels)


def match(
    records: Sequence[MatchRecord], config: MatchConfig
) -> tuple[list[ScoredPair], MatchReport]:
    """Every candidate pair that is not distinct (merges and reviews), in a stable order."""
    report = MatchReport(records=len(records))
    prepared = PreparedRecords(records, config)
    kept = []
    for left, right in candidate_pairs(prepared, report):
        report.pairs += 1
        pair = score_pair(prepared, left, right)
        report.verdicts[pair.verdict] = report.verdicts.get(pair.verdict, 0) + 1
        if pair.verdict is not Verdict.DISTINCT:
            kept.append(pair)
    kept.sort(key=lambda p: p.key)
    return kept, report
