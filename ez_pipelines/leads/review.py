"""The review queue: pairs of lead records the matcher could not decide, and people's answers.

- `merge`: the two records are one person; every later run joins them.
- `distinct`: this pair is no evidence of one person; the records may still meet through others.
- `split`: the two are different people; no later run puts them in one lead, whatever links them.

A question is about two leads, not two records: while any pair between two leads is open or was
answered, no other pair between them is asked. Opening is insert-or-ignore on the pair's unique
key, so two runs at once never ask twice.

Every question and answer names its two records by source and the source's own id (a HubSpot
contact id, a Crisp session, a WhatsApp id), never by `leads.id`: channel records read again
from the inbox after a wipe get new row ids, and the answers still hold for them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Lead
from ez_pipelines.leads.matching import ScoredPair
from ez_pipelines.leads.tables import DECIDED, DECISIONS, OPEN, SETTLED, LeadReview

_TABLE: Table = LeadReview.__table__  # type: ignore[assignment]

RecordKey = tuple[str, str]
"""A channel record as its channel names it: (source, source_ref)."""


@dataclass
class Decisions:
    """People's answers, as pairs of the current run's record ids (smaller first)."""

    merge: set[tuple[int, int]] = field(default_factory=set)
    distinct: set[tuple[int, int]] = field(default_factory=set)
    split: set[tuple[int, int]] = field(default_factory=set)

    def answered(self) -> set[tuple[int, int]]:
        return self.merge | self.distinct | self.split


def load_decisions(session: Session, ids: Mapping[RecordKey, int]) -> Decisions:
    """Every answer whose two records both exist, on their record ids as of now."""
    decisions = Decisions()
    rows = session.scalars(select(LeadReview).where(LeadReview.status == DECIDED))
    for item in rows:
        left, right = ids.get(item.left), ids.get(item.right)
        if item.decision in DECISIONS and left is not None and right is not None:
            getattr(decisions, str(item.decision)).add((min(left, right), max(left, right)))
    return decisions


def open_reviews(
    session: Session,
    pairs: Sequence[ScoredPair],
    membership: Mapping[int, int],
    decisions: Decisions,
    keys: Mapping[int, RecordKey],
    *,
    now: datetime,
) -> tuple[int, int]:
    """Ask about each pair of leads not yet asked about; settle questions that became moot.

    Returns (opened now, open in all)."""
    ids = {key: record for record, key in keys.items()}

    def leads_of(left: int, right: int) -> tuple[int, int]:
        a, b = membership[left], membership[right]
        return (a, b) if a <= b else (b, a)

    open_items = list(session.scalars(select(LeadReview).where(LeadReview.status == OPEN)))
    asked: set[tuple[int, int]] = {leads_of(*pair) for pair in decisions.answered()}
    for item in open_items:
        left, right = ids.get(item.left), ids.get(item.right)
        if left is None or right is None:
            continue  # a record not read (again) yet: the question waits for it
        if membership[left] == membership[right]:
            item.status = SETTLED
        else:
            asked.add(leads_of(left, right))

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
        opened += _ask(session, pair, keys[pair.left], keys[pair.right], now)
    session.flush()
    still_open = session.scalar(
        select(func.count()).select_from(LeadReview).where(LeadReview.status == OPEN)
    )
    return opened, int(still_open or 0)


def _ask(
    session: Session, pair: ScoredPair, left: RecordKey, right: RecordKey, now: datetime
) -> int:
    first, second = sorted((left, right))
    values = {
        "left_source": first[0],
        "left_ref": first[1],
        "right_source": second[0],
        "right_ref": second[1],
        "score": pair.score,
        "evidence": json.dumps({name: str(level) for name, level in pair.evidence().items()}),
        "status": OPEN,
        "opened_at": now,
    }
    keys = ["left_source", "left_ref", "right_source", "right_ref"]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # A question settled because its records came together is asked again when they come
    # apart; one a person answered never is (it is not among the pairs asked about).
    statement = insert(_TABLE).on_conflict_do_update(
        index_elements=keys,
        set_={name: values[name] for name in ("score", "evidence", "status", "opened_at")},
        where=_TABLE.c.status == SETTLED,
    )
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
    if left == right:
        raise ValueError("a record cannot be split from itself")
    found = {
        lead.id: (lead.source, lead.source_ref)
        for lead in session.scalars(select(Lead).where(Lead.id.in_((left, right))))
    }
    missing = [str(record) for record in (left, right) if record not in found]
    if missing:
        raise ValueError(f"no lead record {', '.join(missing)}")
    (left_source, left_ref), (right_source, right_ref) = sorted(found.values())
    item = session.scalars(
        select(LeadReview).where(
            LeadReview.left_source == left_source,
            LeadReview.left_ref == left_ref,
            LeadReview.right_source == right_source,
            LeadReview.right_ref == right_ref,
        )
    ).one_or_none()
    if item is None:
        item = LeadReview(
            left_source=left_source, left_ref=left_ref, right_source=right_source,
            right_ref=right_ref, score=0.0, evidence="{}", status=OPEN, opened_at=now,
        )  # fmt: skip
        session.add(item)
        session.flush()
    if item.status == DECIDED and item.decision == "split":
        return item
    item.status, item.decision, item.decided_by, item.decided_at = DECIDED, "split", by, now
    return item
