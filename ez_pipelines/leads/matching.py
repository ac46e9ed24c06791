"""The matching engine: block, compare, score and classify pairs of records.

Generic over what a record is: a record is an integer id and a mapping of field values, and a
`MatchConfig` says which fields count and how. Blocking keeps the work near-linear: only records
that share a blocking key are compared, and blocks too large to say anything are skipped.
Records are prepared once and held as tuples, so a million of them fit in a few hundred MB.
"""

from __future__ import annotations

import gc
import multiprocessing
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from ez_pipelines.leads.comparators import COMPARATORS, Level, Prepared
from ez_pipelines.leads.config import MatchConfig
from ez_pipelines.leads.scoring import AGREEING_NAMES, ScoredPair, Scorer, Verdict

__all__ = ["MatchRecord", "MatchReport", "ScoredPair", "Verdict", "match", "paused_gc"]


@dataclass(frozen=True, slots=True)
class MatchRecord:
    id: int
    values: Mapping[str, object]


@dataclass
class MatchReport:
    records: int = 0
    pairs: int = 0
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)


def _first_last(value: Prepared) -> str | None:
    words = str(value or "").split()
    return f"{words[0]} {words[-1]}" if len(words) > 1 else None


def _slipped_name(value: Prepared, first_whole: bool) -> str | None:
    """The first word whole and the last word's start, or the other way round: a typo in one
    word leaves one of the two as it was."""
    words = str(value or "").split()
    if len(words) < 2:
        return None
    first, last = words[0], words[-1]
    return f"{first} {last[:3]}" if first_whole else f"{first[:3]} {last}"


def _number_part(value: Prepared, part: slice) -> str | None:
    digits = "".join(c for c in str(value or "") if c.isdigit())
    return digits[part] if len(digits) >= 8 else None


def _address_part(value: Prepared, head: bool) -> str | None:
    local, _, domain = str(value or "").partition("@")
    if len(local) < 4 or not domain:
        return None
    return local[:4] if head else f"{local[-4:]}@{domain}"


_DERIVED: dict[str, Callable[[Prepared], object]] = {
    "first_last": _first_last,
    "first_whole": lambda value: _slipped_name(value, first_whole=True),
    "last_whole": lambda value: _slipped_name(value, first_whole=False),
    "number_head": lambda value: _number_part(value, slice(-8, -4)),
    "number_tail": lambda value: _number_part(value, slice(-4, None)),
    "address_head": lambda value: _address_part(value, head=True),
    "address_tail": lambda value: _address_part(value, head=False),
}


class PreparedRecords:
    """Every record's fields prepared once, and its blocking keys filed into blocks."""

    def __init__(self, records: Iterable[MatchRecord], config: MatchConfig) -> None:
        self.config = config
        self.fields = tuple(rule.field for rule in config.rules)
        self.values: dict[int, tuple[Prepared, ...]] = {}
        self.blocks: list[dict[tuple[object, ...], list[int]]] = [
            defaultdict(list) for _ in config.blocking
        ]
        self.vetoing = [i for i, rule in enumerate(config.rules) if rule.vetoes]
        identifiers = [i for i, rule in enumerate(config.rules) if rule.identifier]
        # The identities each value of a vetoing field is seen with: a name seen with many
        # phones is many people's, and says little about any one of them.
        self.identities: dict[int, dict[Prepared, set[tuple[int, Prepared]]]] = {
            i: defaultdict(set) for i in self.vetoing
        }
        # Values repeat (a family's number, the commonest names): each distinct one is prepared,
        # and its blocking keys derived, once.
        prepares = [_memoised(COMPARATORS[rule.comparator].prepare) for rule in config.rules]
        # Rules share key parts (a name's first and last words serve five of them): each part
        # is read once per record.
        part_names = sorted({name for rule in config.blocking for name in rule.fields})
        readers = [self._key_part(name) for name in part_names]
        key_parts = [[part_names.index(name) for name in rule.fields] for rule in config.blocking]
        for record in records:
            get = record.values.get
            prepared = tuple(
                prepare(get(name)) for name, prepare in zip(self.fields, prepares, strict=True)
            )
            self.values[record.id] = prepared
            for index in self.vetoing:
                seen = self.identities[index][prepared[index]]
                if len(seen) <= config.distinctive_at * len(identifiers):
                    seen.update((i, prepared[i]) for i in identifiers if prepared[i] is not None)
            parts = [read(prepared) for read in readers]
            for indexes, blocks in zip(key_parts, self.blocks, strict=True):
                key = tuple([parts[i] for i in indexes])
                if None not in key:
                    blocks[key].append(record.id)

    def _key_part(self, name: str) -> Callable[[tuple[Prepared, ...]], object]:
        """How to read one part of a blocking key off a prepared record."""
        if name in self.fields:
            index = self.fields.index(name)
            return lambda values: values[index]
        recipe = self.config.derived.get(name)
        if recipe is None:
            raise ValueError(f"blocking key {name!r} is neither a field nor derived")
        how, _, source = recipe.partition(":")
        if how not in _DERIVED or source not in self.fields:
            raise ValueError(f"unknown derived blocking key {recipe!r}")
        derive, index = _memoised(_DERIVED[how]), self.fields.index(source)
        return lambda values: derive(values[index])


def _memoised(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`function` remembered per argument for one preparation: a plain dict, no eviction."""
    memo: dict[object, object] = {}

    def remembered(value: Any) -> Any:
        try:
            return memo[value]
        except KeyError:
            result = memo[value] = function(value)
            return result

    return remembered


def candidate_pairs(prepared: PreparedRecords, report: MatchReport) -> Iterator[tuple[int, int]]:
    """Each pair of records sharing a blocking key, once, the smaller id first."""
    seen: set[int] = set()
    for rule, blocks in zip(prepared.config.blocking, prepared.blocks, strict=True):
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


@contextmanager
def paused_gc() -> Iterator[None]:
    """Matching makes millions of small objects that never form cycles; the cyclic collector
    would walk all of them again and again as they pile up, a third of the time at scale."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def match(
    records: Sequence[MatchRecord], config: MatchConfig, *, workers: int = 1
) -> tuple[list[ScoredPair], MatchReport]:
    """`workers` above 1 scores the candidate pairs in that many forked processes: for a batch
    job on a machine of its own, never inside a server or a Dagster run."""
    with paused_gc():
        return _match(records, config, workers)


def _match(
    records: Sequence[MatchRecord], config: MatchConfig, workers: int
) -> tuple[list[ScoredPair], MatchReport]:
    """Every candidate pair that is not plainly distinct (merges, reviews, and the vetoed pairs
    that keep leads apart), in a stable order."""
    report = MatchReport(records=len(records))
    prepared = PreparedRecords(records, config)
    scorer = Scorer(prepared)
    candidates = candidate_pairs(prepared, report)
    if workers > 1:
        kept, verdicts = _score_forked(scorer, candidates, workers)
    else:
        kept, verdicts = _score(scorer, candidates)
    if config.distrust_shared_identifiers:
        kept = _distrust_shared(kept, prepared, verdicts)
    report.pairs = sum(verdicts.values())
    report.verdicts = {str(k): v for k, v in verdicts.items()}
    kept.sort(key=lambda p: (p.left, p.right))
    return kept, report


Scored = tuple[list[ScoredPair], dict[Verdict, int]]


def _score(scorer: Scorer, candidates: Iterable[tuple[int, int]]) -> Scored:
    kept = []
    verdicts: dict[Verdict, int] = defaultdict(int)
    for left, right in candidates:
        pair = scorer.score(left, right)
        verdicts[pair.verdict] += 1
        if pair.verdict is not Verdict.DISTINCT or pair.apart:
            kept.append(pair)
    return kept, verdicts


_FORKED_SCORER: list[Scorer] = []
"""The scorer forked workers inherit: set just before the fork, cleared after."""


def _score_packed(chunk: array[int]) -> Scored:
    return _score(_FORKED_SCORER[0], ((packed >> 32, packed & 0xFFFFFFFF) for packed in chunk))


def _score_forked(scorer: Scorer, candidates: Iterable[tuple[int, int]], workers: int) -> Scored:
    packed = array("q", ((left << 32) | right for left, right in candidates))
    size = len(packed) // (workers * 4) + 1
    chunks = [packed[i : i + size] for i in range(0, len(packed), size)]
    _FORKED_SCORER.append(scorer)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            parts = list(pool.map(_score_packed, chunks))
    finally:
        _FORKED_SCORER.clear()
    kept: list[ScoredPair] = []
    verdicts: dict[Verdict, int] = defaultdict(int)
    for part, counts in parts:
        kept.extend(part)
        for verdict, count in counts.items():
            verdicts[verdict] += count
    return kept, verdicts


def _distrust_shared(
    pairs: list[ScoredPair], prepared: PreparedRecords, verdicts: dict[Verdict, int]
) -> list[ScoredPair]:
    """Merges that rest only on a value two different people share become reviews."""
    rules = prepared.config.rules
    identifiers = [i for i, rule in enumerate(rules) if rule.identifier]
    vetoing = [i for i, rule in enumerate(rules) if rule.vetoes]
    shared = {
        (i, prepared.values[pair.left][i])
        for pair in pairs
        if pair.apart
        for i in identifiers
        if pair.levels[i] is Level.EXACT
    }
    if not shared:
        return pairs
    kept = []
    for pair in pairs:
        if pair.verdict is Verdict.MERGE and not any(
            pair.levels[i] in AGREEING_NAMES for i in vetoing
        ):
            values = prepared.values[pair.left]
            agreeing = [i for i in identifiers if pair.levels[i] is Level.EXACT]
            if all((i, values[i]) in shared for i in agreeing):
                verdicts[Verdict.MERGE] -= 1
                verdicts[Verdict.REVIEW] += 1
                pair = replace(pair, verdict=Verdict.REVIEW)
        kept.append(pair)
    return kept
