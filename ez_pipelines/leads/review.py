"""The review queue: pairs of lead records the matcher could not decide, and people's answers.

- `merge`: the two records are one person; every later run joins them.
- `distinct`: this pair is no evidence of one person; the records may still meet through others.
- `split`: the two are different people; no later run puts them in one lead, whatever links them.

A question is about two leads, not two records: while any pair between two leads is open or was
answered, no other pair between them is asked. Opening is insert-or-ignore on the pair's unique
key, so two runs at once never ask twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ez_pipelines.leads.matching import ScoredPair
from ez_pipelines.leads.tables import DECIDED, DECISIONS, OPEN, SETTLED, LeadReview

_TABLE: Table = LeadReview.__table__  # type: ignore[assignment]


@dataclass
class Decisions:
    merge: set[tuple[int, int]] = field(default_factory=set)
    distinct: set[tuple[int, int]] = field(default_factory=set)
    split: set[tuple[int, int]] = field(default_factory=set)

    def answered(self) -> set[tuple[int, int]]:
        return self.merge | self.distinct | self.split


def load_decisions(session: Session) -> Decisions:
    decisions = Decisions()
    rows = session.execute(
        select(LeadReview.left_lead_id, LeadReview.right_lead_id, LeadReview.decision).where(
            LeadReview.status == DECIDED
        )
    )
    for left, right, decision in rows:
        if decision in DECISIONS:
            getattr(decisions, str(decision)).add((left, right))
    return decisions


def open_reviews(
    session: Session,
    pairs: Sequence[ScoredPair],
    membership: Mapping[int, int],
    decisions: Decisions,
    *,
    now: datetime,
) -> tuple[int, int]:
    """Ask about each pair of leads not yet asked about; settle questions that became moot.

    Returns (opened now, open in all)."""

    def leads_of(left: int, right: int) -> tuple[int, int]:
        a, b = membership[left], membership[right]
        return (a, b) if a <= b else (b, a)

    open_items = list(session.scalars(select(LeadReview).where(LeadReview.status == OPEN)))
    asked: set[tuple[int, int]] = {leads_of(*pair) for pair in decisions.answered()}
    for item in open_items:
        together = membership[item.left_lead_id] == membership[item.right_lead_id]
        if together:
            item.status = SETTLED
        else:
            asked.add(leads_of(item.left_lead_id, item.right_lead_id))

    best: dict[tuple[int, int], ScoredPair] = {}
    for pair in pairs:
        between = leads_of(pair.left, pair.right)
        if between[0] == between[1] or between in asked or pair.key in decisions.answered():
            continue
        current = best.get(between)
        if current is None or (pair.score, -pair.left) > (current.score, -current.left):
            best[between] = pair

    opened = 0
    for pair in sorted(best.values(), key=lambda p: p.key):
        opened += _insert_unless_asked(session, pair, now)
    session.flush()
    still_open = session.scalar(
        select(func.count()).select_from(LeadReview).where(LeadReview.status == OPEN)
    )
    return opened, int(still_open or 0)


def _insert_unless_asked(session: Session, pair: ScoredPair, now: datetime) -> int:
    values = {
        "left_lead_id": pair.left,
        "right_lead_id": pair.right,
        "score": pair.score,
        "evidence": json.dumps({name: str(level) for name, level in pair.evidence().items()}),
        "status": OPEN,
        "opened_at": now,
    }
    keys = ["left_lead_id", "right_lead_id"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_TABLE).on_conflict_do_nothing(index_elements=keys)
    result = session.execute(statement, values)
    return int(result.rowcount)  # type: ignore[attr-defined]


class ReviewNotFound(LookupError):
    pass


class AlreadyDecided(ValueError):
    pass


def decide(session: Session, item_id: int, decision: str, *, by: str, now: datetime) -> LeadReview:
    """Answer an open question; an answered one is never asked or answered again."""
    if decision not in DECISIONS:
        raise ValueError(f"a decision is one of {DECISIONS}, not {decision!r}")
    item = session.get(LeadReview, item_id)
    if item is None:
        raise ReviewNotFound(f"no review item {item_id}")
    if item.status == DECIDED:
        raise AlreadyDecided(f"review item {item_id} was already answered: {item.decision}")
    item.status, item.decision, item.decided_by, item.decided_at = DECIDED, decision, by, now
    return item


def split_records(session: Session, left: int, right: int, *, by: str, now: datetime) -> LeadReview:
    """Split two records the matcher put in one lead: a decided `split` for their pair."""
    low, high = sorted((left, right))
    if low == high:
        raise ValueError("a record cannot be split from itself")
    item = session.scalars(
        select(LeadReview).where(LeadReview.left_lead_id == low, LeadReview.right_lead_id == high)
    ).one_or_none()
    if item is None:
        item = LeadReview(
            left_lead_id=low, right_lead_id=high, score=0.0, evidence="{}", status=OPEN,
            opened_at=now,
        )  # fmt: skip
        session.add(item)
        session.flush()
    if item.status == DECIDED and item.decision == "split":
        return item
    item.status, item.decision, item.decided_by, item.decided_at = DECIDED, "split", by, now
    return item
