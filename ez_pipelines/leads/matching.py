"""The matching engine: block, compare, score and classify pairs of records.

Generic over what a record is: a record is an integer id and a mapping of field values, and a
`MatchConfig` says which fields count and how. Blocking keeps the work near-linear: only records
that share a blocking key are compared, and blocks too large to say anything are skipped.
Fields are held as integer codes of their distinct values, and pairs are scored a field at a
time over arrays, so a million records match in seconds on one core and a few hundred MB.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
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


_NOT_DIGITS = re.compile(r"\D+")


def _number_part(value: Prepared, part: slice) -> str | None:
    digits = _NOT_DIGITS.sub("", str(value or ""))
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
        coded = [
            _coded(
                COMPARATORS[rule.comparator].prepare,
                _objects([r.values.get(rule.field) for r in records]),
            )
            for rule in config.rules
        ]
        self.codes = [codes for codes, _ in coded]
        """Per field, each record's value as its index among the field's distinct values."""
        self.distinct_values = [values for _, values in coded]
        self.distinctive_codes = self._distinctive()
        """Per field, per code (and a last entry for a missing value, code -1): the value is a
        vetoing field's distinctive one (see `MatchConfig.distinctive_at`)."""
        self._order = np.argsort(self.ids, kind="stable")
        self._sorted_ids = self.ids[self._order]
        # Rules share key parts (a name's first and last words serve five of them): each part
        # is coded once.
        part_names = sorted({name for rule in config.blocking for name in rule.fields})
        parts = {name: self._key_part(name) for name in part_names}
        self.blocking_keys = [
            _combined([parts[name] for name in rule.fields]) for rule in config.blocking
        ]

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Where each of `ids` is among the records."""
        found: np.ndarray = self._order[np.searchsorted(self._sorted_ids, ids)]
        return found

    def _key_part(self, name: str) -> np.ndarray:
        """One part of a blocking key as integer codes, -1 where the record has none."""
        if name in self.fields:
            return self.codes[self.fields.index(name)]
        recipe = self.config.derived.get(name)
        if recipe is None:
            raise ValueError(f"blocking key {name!r} is neither a field nor derived")
        how, _, source = recipe.partition(":")
        if how not in _DERIVED or source not in self.fields:
            raise ValueError(f"unknown derived blocking key {recipe!r}")
        index = self.fields.index(source)
        codes, _ = _coded(_DERIVED[how], _objects(self.distinct_values[index]))
        return _through(self.codes[index], codes)

    def _distinctive(self) -> list[np.ndarray]:
        """Per field, per code: a vetoing field's value of two words or more whose records
        hold at most `distinctive_at` values of each identifier. A name seen with many phones
        is many people's, and says little about any one of them."""
        limit = self.config.distinctive_at
        identifiers = [i for i, rule in enumerate(self.config.rules) if rule.identifier]
        found = []
        for index, values in enumerate(self.distinct_values):
            rare = np.zeros(len(values) + 1, dtype=bool)
            if index in self.vetoing:
                codes = self.codes[index]
                crowded = np.zeros(len(values), dtype=bool)
                for other in identifiers:
                    # Every (value, identifier value) pair once; its value is the quotient.
                    width = len(self.distinct_values[other])
                    both = (codes >= 0) & (self.codes[other] >= 0)
                    seen = np.unique(_pair_codes(codes[both], self.codes[other][both], width))
                    crowded |= np.bincount(seen // width, minlength=len(values)) > limit
                words = np.array([len(str(v).split()) >= 2 for v in values], dtype=bool)
                rare[:-1] = words & ~crowded
            found.append(rare)
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


def _objects(values: Sequence[Any]) -> np.ndarray:
    """`values` as a numpy array of Python objects, each kept as it is (strings, dates)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _coded(function: Callable[[Any], Any], column: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """`function` of every value of `column`, called once per distinct value, as codes: each
    record's result as its index among the distinct results (first seen first), -1 where it
    is None; and those results. A missing value stays missing."""
    import pandas as pd  # hashes a million objects in C; imported only where records are matched

    raw_codes, raw_values = pd.factorize(column)
    results = _objects([function(v) for v in raw_values.tolist()])
    result_codes, values = pd.factorize(results)
    return _through(raw_codes, result_codes), values.tolist()


def _through(codes: np.ndarray, table: np.ndarray) -> np.ndarray:
    """`table[code]` for each code, -1 where the code is -1."""
    found: np.ndarray = np.append(table, -1)[codes]
    return found


def _pair_codes(left: np.ndarray, right: np.ndarray, width: int) -> np.ndarray:
    """One integer per (left, right) pair of codes, unique to the pair when every right code
    is below `width`: `left` is its quotient by `width`. Codes are below the number of records,
    so the product fits in 64 bits for up to two billion of them."""
    pairs: np.ndarray = left * width + right
    return pairs


def _combined(parts: list[np.ndarray]) -> np.ndarray:
    """A key of several parts as one code per record; -1 where any part is missing."""
    key: np.ndarray = parts[0]
    for part in parts[1:]:
        missing = (key < 0) | (part < 0)
        width = int(part.max(initial=0)) + 1
        _, inverse = np.unique(
            _pair_codes(np.where(missing, 0, key), np.where(missing, 0, part), width),
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
    records: Sequence[MatchRecord], config: MatchConfig
) -> tuple[list[ScoredPair], MatchReport]:
    with paused_gc():
        return _match(records, config)


def _match(
    records: Sequence[MatchRecord], config: MatchConfig
) -> tuple[list[ScoredPair], MatchReport]:
    """Every candidate pair that is not plainly distinct (merges, reviews, and the vetoed pairs
    that keep leads apart), in a stable order."""
    report = MatchReport(records=len(records))
    prepared = PreparedRecords(records, config)
    scorer = Scorer(prepared)
    candidates = prepared.candidate_pairs(report)
    kept, verdicts = scorer.score(candidates)
    if config.distrust_shared_identifiers:
        kept = _distrust_shared(kept, prepared, verdicts)
    report.pairs = sum(verdicts.values())
    report.verdicts = {str(k): v for k, v in verdicts.items() if v}
    kept.sort(key=lambda p: (p.left, p.right))
    return kept, report


def _distrust_shared(
    pairs: list[ScoredPair], prepared: PreparedRecords, verdicts: dict[Verdict, int]
) -> list[ScoredPair]:
    """Merges that rest only on a value two different people share become reviews."""
    rules = prepared.config.rules
    identifiers = [i for i, rule in enumerate(rules) if rule.identifier]
    vetoing = [i for i, rule in enumerate(rules) if rule.vetoes]
    lefts = prepared.positions(np.fromiter((p.left for p in pairs), np.int64, len(pairs)))
    codes = {i: prepared.codes[i][lefts].tolist() for i in identifiers}
    shared = {
        (i, codes[i][k])
        for k, pair in enumerate(pairs)
        if pair.apart
        for i in identifiers
        if pair.levels[i] is Level.EXACT
    }
    if not shared:
        return pairs
    kept = []
    for k, pair in enumerate(pairs):
        if pair.verdict is Verdict.MERGE and not any(
            pair.levels[i] in AGREEING_NAMES for i in vetoing
        ):
            agreeing = [i for i in identifiers if pair.levels[i] is Level.EXACT]
            if all((i, codes[i][k]) in shared for i in agreeing):
                verdicts[Verdict.MERGE] -= 1
                verdicts[Verdict.REVIEW] += 1
                pair = replace(pair, verdict=Verdict.REVIEW)
        kept.append(pair)
    return kept
