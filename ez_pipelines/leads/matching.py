"""The matching engine: block, compare, score and classify pairs of records.

Generic over what a record is: a record is an integer id and a mapping of field values, and a
`MatchConfig` says which fields count and how. Blocking keeps the work near-linear: only records
that share a blocking key are compared, and blocks too large to say anything are skipped.
Records are prepared once and held as tuples, so a million of them fit in a few hundred MB.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

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
    """Every record's fields prepared once, column by column, and the candidate pairs its
    blocking keys give.

    Values repeat (a family's number, the commonest names): each distinct one is prepared, and
    its blocking keys derived, once. Blocks are grouped as integer codes in numpy, so a million
    records file into ten rules' blocks in seconds rather than in ten million dict appends.
    """

    def __init__(self, records: Sequence[MatchRecord], config: MatchConfig) -> None:
        self.config = config
        self.fields = tuple(rule.field for rule in config.rules)
        self.vetoing = [i for i, rule in enumerate(config.rules) if rule.vetoes]
        self.ids = np.fromiter((r.id for r in records), dtype=np.int64, count=len(records))
        if len(self.ids) and (self.ids.min() < 0 or self.ids.max() >= 1 << 31):
            # Two ids are packed into one signed 64-bit integer per candidate pair.
            raise ValueError("record ids must be from 0 to 2**31 - 1 to be paired")
        columns = [
            _mapped(
                COMPARATORS[rule.comparator].prepare, [r.values.get(rule.field) for r in records]
            )
            for rule in config.rules
        ]
        self.values: dict[int, tuple[Prepared, ...]] = dict(
            zip(self.ids.tolist(), zip(*columns, strict=True), strict=True)
        )
        self.codes = [_codes(column) for column in columns]
        self.distinctive = self._distinctive(columns)
        # Rules share key parts (a name's first and last words serve five of them): each part
        # is coded once.
        part_names = sorted({name for rule in config.blocking for name in rule.fields})
        parts = {name: self._key_part(name, columns) for name in part_names}
        self.blocking_keys = [
            _combined([parts[name] for name in rule.fields]) for rule in config.blocking
        ]

    def _key_part(self, name: str, columns: list[list[Prepared]]) -> np.ndarray:
        """One part of a blocking key as integer codes, -1 where the record has none."""
        if name in self.fields:
            return self.codes[self.fields.index(name)]
        recipe = self.config.derived.get(name)
        if recipe is None:
            raise ValueError(f"blocking key {name!r} is neither a field nor derived")
        how, _, source = recipe.partition(":")
        if how not in _DERIVED or source not in self.fields:
            raise ValueError(f"unknown derived blocking key {recipe!r}")
        return _codes(_mapped(_DERIVED[how], columns[self.fields.index(source)]))

    def _distinctive(self, columns: list[list[Prepared]]) -> dict[int, frozenset[Prepared]]:
        """Per vetoing field, its values of two words or more whose records hold at most
        `distinctive_at` values of each identifier: a name seen with many phones is many
        people's, and says little about any one of them."""
        limit = self.config.distinctive_at
        identifiers = [i for i, rule in enumerate(self.config.rules) if rule.identifier]
        found: dict[int, frozenset[Prepared]] = {}
        for index in self.vetoing:
            codes = self.codes[index]
            crowded = np.zeros(codes.max(initial=-1) + 1, dtype=bool)
            for other in identifiers:
                both = (codes >= 0) & (self.codes[other] >= 0)
                seen = np.unique(_pair_codes(codes[both], self.codes[other][both]))
                names = seen // (self.codes[other].max(initial=0) + 1)
                crowded |= np.bincount(names, minlength=len(crowded)) > limit
            values = _distinct(columns[index])
            found[index] = frozenset(
                v
                for v, busy in zip(values, crowded, strict=True)
                if not busy and len(str(v).split()) >= 2
            )
        return found

    def candidate_pairs(self, report: MatchReport) -> np.ndarray:
        """Each pair of records sharing a blocking key, once, packed as `left << 32 | right`
        with the smaller id on the left, in ascending order."""
        found = [np.empty(0, dtype=np.int64)]
        for rule, keys in zip(self.config.blocking, self.blocking_keys, strict=True):
            has = keys >= 0
            keys, ids = keys[has], self.ids[has]
            order = np.lexsort((ids, keys))
            keys, ids = keys[order], ids[order]
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
            sizes = np.diff(np.r_[starts, len(keys)])
            skipped = int((sizes > rule.max_block).sum())
            if skipped:
                label = "+".join(rule.fields)
                report.skipped_blocks[label] = report.skipped_blocks.get(label, 0) + skipped
            for size in np.unique(sizes[(sizes >= 2) & (sizes <= rule.max_block)]).tolist():
                members = ids[starts[sizes == size][:, None] + np.arange(size)]
                left, right = np.triu_indices(size, 1)
                found.append(((members[:, left] << 32) | members[:, right]).ravel())
        return np.unique(np.concatenate(found))


def _distinct(column: list[Prepared]) -> list[Prepared]:
    """The column's values other than None, each once, in a fixed order (first seen)."""
    return [v for v in dict.fromkeys(column) if v is not None]


def _codes(column: list[Prepared]) -> np.ndarray:
    """Each value's position among the column's distinct values; -1 for None."""
    code = {v: i for i, v in enumerate(_distinct(column))}
    return np.fromiter((code.get(v, -1) for v in column), dtype=np.int64, count=len(column))


def _mapped(function: Callable[[Any], Any], column: Sequence[Any]) -> list[Any]:
    """`function` of every value, called once per distinct value."""
    table = {v: function(v) for v in dict.fromkeys(column)}
    return [table[v] for v in column]


def _pair_codes(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """One integer per (left, right) pair of codes, unique to the pair. Codes are below the
    number of records, so the product fits in 64 bits for up to two billion of them."""
    pairs: np.ndarray = left * (right.max(initial=0) + 1) + right
    return pairs


def _combined(parts: list[np.ndarray]) -> np.ndarray:
    """A key of several parts as one code per record; -1 where any part is missing."""
    key: np.ndarray = parts[0]
    for part in parts[1:]:
        missing = (key < 0) | (part < 0)
        _, inverse = np.unique(
            _pair_codes(np.where(missing, 0, key), np.where(missing, 0, part)),
            return_inverse=True,
        )
        key = np.where(missing, -1, inverse)
    return key


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
    candidates = prepared.candidate_pairs(report)
    if workers > 1:
        kept, verdicts = _score_forked(scorer, candidates, workers)
    else:
        kept, verdicts = _score_packed_with(scorer, candidates)
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


def _score_packed_with(scorer: Scorer, packed: np.ndarray) -> Scored:
    return _score(scorer, ((pair >> 32, pair & 0xFFFFFFFF) for pair in packed.tolist()))


def _score_packed(chunk: np.ndarray) -> Scored:
    return _score_packed_with(_FORKED_SCORER[0], chunk)


def _score_forked(scorer: Scorer, packed: np.ndarray, workers: int) -> Scored:
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
