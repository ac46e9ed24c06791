"""What a matcher is told: fields, comparators, weights, blocking keys and thresholds.

The engine knows nothing of leads; `LEAD_MATCHING` is one configuration of it. A pair's score is
the sum of its fields' weights at the levels they compare at (a log-odds reading: evidence for
the same person adds, evidence against subtracts). Then:

- merge: the score reaches `merge_at`, an identifier agrees (when `require_identifier`), no
  identifier disagrees, and no `vetoes` field (the name, for leads) says `different`;
- review: not a merge, and the score reaches `review_at`; also a merge carried only by an
  identifier two different people share, with names not clearly the same
  (`distrust_shared_identifiers`);
- distinct: everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ez_pipelines.leads.comparators import COMPARATORS, Level


@dataclass(frozen=True)
class FieldRule:
    field: str
    comparator: str
    weights: Mapping[Level, float]
    identifier: bool = False
    """Identifies one person (a phone, an email): only these can carry an automatic merge."""
    vetoes: bool = False
    """At `different`, this field alone stops an automatic merge (two names: two people)."""

    def __post_init__(self) -> None:
        if self.comparator not in COMPARATORS:
            raise ValueError(f"unknown comparator {self.comparator!r} for {self.field}")

    def weight(self, level: Level) -> float:
        return self.weights.get(level, 0.0)


@dataclass(frozen=True)
class BlockingRule:
    """Records are compared only when they share the values of every field of some rule."""

    fields: tuple[str, ...]
    max_block: int = 50
    """A larger block (a shared office number, the commonest name) says too little to be worth
    its pairs: it is skipped, and counted in the report."""


@dataclass(frozen=True)
class MatchConfig:
    rules: tuple[FieldRule, ...]
    blocking: tuple[BlockingRule, ...]
    merge_at: float
    review_at: float
    require_identifier: bool = True
    distrust_shared_identifiers: bool = False
    """An identifier value that two records with vetoing differences share (a family's phone)
    carries a merge only where the vetoing field says something (exact, close or partial);
    a record without a name, on a family's phone, could be any of them: review."""
    derived: Mapping[str, str] = field(default_factory=dict)
    """Blocking-only keys derived from a field: name -> `first_last:<field>`."""

    def rule(self, name: str) -> FieldRule:
        return next(r for r in self.rules if r.field == name)


_PHONE = {Level.EXACT: 7.0, Level.CLOSE: 1.0, Level.DIFFERENT: -3.0}
_EMAIL = {Level.EXACT: 8.0, Level.CLOSE: 2.0, Level.DIFFERENT: -3.0}

LEAD_MATCHING = MatchConfig(
    rules=(
        FieldRule("email", "typo", _EMAIL, identifier=True),
        FieldRule("phone", "typo", _PHONE, identifier=True),
        # A number we could not trust to be the channel's: shared digits suggest, never decide.
        FieldRule("phone_digits", "exact", {Level.EXACT: 3.0}),
        FieldRule(
            "name",
            "name",
            {Level.EXACT: 4.0, Level.CLOSE: 3.0, Level.PARTIAL: 2.0, Level.DIFFERENT: -6.0},
            vetoes=True,
        ),
    ),
    blocking=(
        BlockingRule(("email",)),
        BlockingRule(("phone",)),
        BlockingRule(("phone_digits",)),
        BlockingRule(("name_first_last",), max_block=30),
    ),
    merge_at=7.0,
    review_at=1.0,
    distrust_shared_identifiers=True,
    derived={"name_first_last": "first_last:name"},
)
"""Leads: a phone or email with a compatible name merges; names alone never do; a name with a
different phone or email, or an untrusted number, goes to a person."""
