"""What a matcher is told: fields, comparators, weights, blocking keys and thresholds.

The engine knows nothing of leads; `LEAD_MATCHING` is one configuration of it. A pair's score is
the sum of its fields' weights at the levels they compare at (a log-odds reading: evidence for
the same person adds, evidence against subtracts). Then:

- merge: the score reaches `merge_at`, an identifier agrees (when `require_identifier`), no
  identifier conflicts, and no `vetoes` field (the name, for leads) says `different`. An
  identifier conflicts at `different` and at `close` too: its values were validated, so two
  of them a keystroke apart are two real addresses or numbers, never a typo to merge over;
- review: not a merge, the score reaches `review_at`, and something besides the vetoing field
  supports it: an identifier agreeing or nearly agreeing, or a `hint` agreeing. Without such
  support a pair is asked about only when the vetoing field agrees on a distinctive value (see
  `distinctive_at`), whatever the identifiers say: one rare full name with two phones is a
  question, one common name is not. Also a merge carried only by an identifier two different
  people share, with names not clearly the same (`distrust_shared_identifiers`);
- distinct: everything else.

A configuration without `require_identifier` (no identifiers, like a census) reviews on the score
alone.
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
    hint: bool = False
    """Agreement here supports asking a person, never a merge (digits of an untrusted number).
    Weighed only where no identifier says anything: the digits of a number agree whenever the
    number does, and would count it twice."""
    letter_slips: bool = False
    """An identifier typed as text (an email): a `close` value whose difference holds no digit
    is the same value mistyped, not a conflict, when another identifier agrees exactly and the
    vetoing field does not differ. Otherwise it is a conflict, as a digit slip always is:
    `sara770@` and `sara3770@` are two accounts."""

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
    """Blocking-only keys derived from a field: name -> `<recipe>:<field>`, the recipes being
    `first_last` (a name's first and last words), `first_whole` and `last_whole` (one of them
    whole, the other's first three letters), `number_head` and `number_tail` (two parts
    of a number's last eight digits), `address_head` and `address_tail` (an address's first
    four characters, its last four and the domain). One slip of a key leaves a head or a tail
    whole, so a name block too large to compare can still be compared where it nearly agrees."""
    distinctive_at: int = 0
    """A vetoing field's value of at least two words is distinctive when its records hold at
    most this many values of each identifier; 0: none is."""

    def rule(self, name: str) -> FieldRule:
        return next(r for r in self.rules if r.field == name)


_PHONE = {Level.EXACT: 7.0, Level.CLOSE: 1.0, Level.DIFFERENT: -3.0}
_EMAIL = {Level.EXACT: 8.0, Level.CLOSE: 3.0, Level.DIFFERENT: -3.0}

LEAD_MATCHING = MatchConfig(
    rules=(
        FieldRule("email", "typo", _EMAIL, identifier=True, letter_slips=True),
        FieldRule("phone", "typo", _PHONE, identifier=True),
        # A number we could not trust to be the channel's: shared digits suggest, never decide.
        FieldRule("phone_digits", "exact", {Level.EXACT: 3.0}, hint=True),
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
        # A rare name with a typo in one of its words.
        BlockingRule(("name_first_whole",), max_block=30),
        BlockingRule(("name_last_whole",), max_block=30),
        # A common name's records, compared only where a phone or an email nearly agrees.
        BlockingRule(("name_first_last", "phone_head")),
        BlockingRule(("name_first_last", "phone_tail")),
        BlockingRule(("name_first_last", "email_head")),
        BlockingRule(("name_first_last", "email_tail")),
    ),
    merge_at=7.0,
    review_at=1.0,
    distrust_shared_identifiers=True,
    derived={
        "name_first_last": "first_last:name",
        "name_first_whole": "first_whole:name",
        "name_last_whole": "last_whole:name",
        "phone_head": "number_head:phone",
        "phone_tail": "number_tail:phone",
        "email_head": "address_head:email",
        "email_tail": "address_tail:email",
    },
    distinctive_at=2,
)
"""Leads: a phone or email with a compatible name merges; names alone never do; a rare full name
with another phone or email, a near-miss identifier, or an untrusted number goes to a person."""
