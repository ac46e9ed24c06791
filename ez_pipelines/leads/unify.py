"""One unification run: every channel record matched, clustered and written as unified leads.

A full recompute from the channel records and the decisions people made, so any run, however
often repeated, ends in the same leads with the same ids. A lead whose content changed is queued
for HubSpot in the same transaction. Pairs the matcher could not decide become review items,
one per pair of leads, and a pair of leads a person already answered about is never asked again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer, Lead
from ez_pipelines.leads.clustering import Clustering, Edge, cluster
from ez_pipelines.leads.config import LEAD_MATCHING, MatchConfig
from ez_pipelines.leads.matching import ScoredPair, Verdict, match
from ez_pipelines.leads.records import Person, match_record, person_of
from ez_pipelines.leads.review import Decisions, load_decisions, open_reviews
from ez_pipelines.leads.tables import UnifiedLead
from ez_pipelines.outbox.routes import enqueue_change

log = logging.getLogger(__name__)

ENTITY = "lead"


@dataclass
class UnifyReport:
    records: int = 0
    unified: int = 0
    auto_merged: int = 0
    """Records that joined another record's lead on the matcher's word alone."""
    merged_by_people: int = 0
    in_review: int = 0
    opened_reviews: int = 0
    refused_by_split: int = 0
    created: int = 0
    updated: int = 0
    retired: int = 0
    pairs_compared: int = 0
    duplicates_left: int = 0
    """Leads that share an email or a phone with another lead, no person having said they are
    different people: true duplicates, or a family's number waiting for an answer."""
    skipped_blocks: dict[str, int] = field(default_factory=dict)

    @property
    def duplicate_rate(self) -> float:
        """Share of unified leads that still share an identifier with another lead."""
        return self.duplicates_left / self.unified if self.unified else 0.0

    @property
    def review_backlog(self) -> float:
        """Open questions per channel record."""
        return self.in_review / self.records if self.records else 0.0

    def as_metadata(self) -> dict[str, int | float]:
        values = {k: v for k, v in asdict(self).items() if isinstance(v, int)}
        return {
            **values,
            "duplicate_rate": round(self.duplicate_rate, 4),
            "review_backlog": round(self.review_backlog, 4),
        }


def unify_leads(
    db: Database,
    *,
    now: datetime,
    config: MatchConfig = LEAD_MATCHING,
    answer: Callable[[Session], object] | None = None,
) -> UnifyReport:
    """Unify every lead in one transaction; `answer`, a person's review decision, is stored in
    the same one, so a decision that cannot be applied is never kept to fail every later run."""
    with db.write() as session:
        if answer is not None:
            # Taken before the answer is read: two people answering one question at once are
            # served in turn, and the second finds it answered.
            _one_at_a_time(session)
            answer(session)
            session.flush()
        report = unify_in(session, now=now, config=config)
    log.info(
        "leads unified records=%d leads=%d auto_merged=%d in_review=%d created=%d updated=%d",
        report.records,
        report.unified,
        report.auto_merged,
        report.in_review,
        report.created,
        report.updated,
    )
    return report


def unify_in(session: Session, *, now: datetime, config: MatchConfig) -> UnifyReport:
    _one_at_a_time(session)
    leads = {lead.id: lead for lead in session.scalars(select(Lead).order_by(Lead.id))}
    pairs, matched = match([match_record(lead) for lead in leads.values()], config)
    keys = {lead.id: (lead.source, lead.source_ref) for lead in leads.values()}
    decisions = load_decisions(session, {key: record for record, key in keys.items()})
    clustering = _cluster(leads, pairs, decisions)

    report = UnifyReport(
        records=len(leads),
        unified=len(clustering.clusters),
        auto_merged=clustering.joined,
        merged_by_people=clustering.forced,
        refused_by_split=len(clustering.refused),
        pairs_compared=matched.pairs,
        skipped_blocks=matched.skipped_blocks,
    )
    membership = clustering.cluster_of()
    reviews = [p for p in pairs if p.verdict is Verdict.REVIEW]
    report.opened_reviews, report.in_review = open_reviews(
        session, reviews, membership, decisions, keys, now=now
    )
    people = [person_of([leads[i] for i in members]) for members in clustering.clusters.values()]
    _write_people(session, people, leads, now, report)
    report.duplicates_left = _duplicates_left(leads.values(), membership, decisions)
    return report


def _duplicates_left(
    records: Iterable[Lead], membership: dict[int, int], decisions: Decisions
) -> int:
    """Leads holding an email key or a phone that another lead's records hold too, except
    where a person answered that two of their records are different people."""
    holders: dict[tuple[str, str], set[int]] = {}
    for lead in records:
        for kind, value in (("email", lead.email_key), ("phone", lead.phone)):
            if value:
                holders.setdefault((kind, value), set()).add(membership[lead.id])
    answered = {
        tuple(sorted((membership[a], membership[b])))
        for a, b in decisions.split | decisions.distinct
    }
    left: set[int] = set()
    for group in holders.values():
        for a in group:
            if any(b != a and tuple(sorted((a, b))) not in answered for b in group):
                left.add(a)
    return len(left)


# Any fixed number: the key of the PostgreSQL advisory lock unifications take in turn.
_UNIFY_LOCK = 0x1EAD5


def _one_at_a_time(session: Session) -> None:
    """Two unifications at once would both write the same leads; the second waits. SQLite's
    write transactions (begun IMMEDIATE) already take turns. Taken again in one transaction,
    the lock is already held."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UNIFY_LOCK})


def _cluster(
    leads: dict[int, Lead], pairs: Sequence[ScoredPair], decisions: Decisions
) -> Clustering:
    edges = [
        Edge(p.left, p.right, p.score)
        for p in pairs
        if p.verdict is Verdict.MERGE and p.key not in decisions.distinct
    ]
    vetoed = [p.key for p in pairs if p.apart and p.key not in decisions.merge]
    return cluster(
        leads,
        edges,
        must_link=sorted(decisions.merge),
        cannot_link=sorted(decisions.split),
        soft_cannot_link=vetoed,
    )


def _write_people(
    session: Session,
    people: Sequence[Person],
    leads: dict[int, Lead],
    now: datetime,
    report: UnifyReport,
) -> None:
    existing = {u.id: u for u in session.scalars(select(UnifiedLead))}
    people = _one_owner_per_email(people)
    customers = _customers_for(session, people)

    # Emails move between leads when clusters change: free every key that moves, and every key
    # of a lead about to be retired, before writing any, so the unique index never sees one key
    # on two rows in between, whichever lead the email lands on.
    keys = {person.id: person.email_key for person in people}
    for held in existing.values():
        if held.email_key and keys.get(held.id) != held.email_key:
            held.email_key = None
    session.flush()

    for person in people:
        customer_id = customers.get(person.email_key or "") or customers.get(person.phone or "")
        digest = _content_hash(person, customer_id)
        row = existing.pop(person.id, None)
        if row is None:
            row = UnifiedLead(id=person.id, created_at=now, content_hash="")
            session.add(row)
            report.created += 1
        elif row.content_hash == digest and row.email_key == person.email_key:
            _assign(leads, person)
            continue
        else:
            report.updated += 1
        row.full_name, row.email, row.email_key = person.full_name, person.email, person.email_key
        row.phone, row.hubspot_contact_id = person.phone, person.hubspot_contact_id
        row.customer_id, row.records = customer_id, len(person.record_ids)
        row.content_hash, row.updated_at = digest, now
        session.flush()
        _assign(leads, person)
        enqueue_change(session, ENTITY, person.id, now)

    session.flush()
    for retired in existing.values():
        session.delete(retired)
        # Its HubSpot contact, if it has one, is merged into the contact of the lead that
        # absorbed it (see vendors/hubspot/lead_merge.py).
        enqueue_change(session, ENTITY, retired.id, now)
        report.retired += 1


def _assign(leads: dict[int, Lead], person: Person) -> None:
    for record_id in person.record_ids:
        if leads[record_id].person_id != person.id:
            leads[record_id].person_id = person.id


def _one_owner_per_email(people: Sequence[Person]) -> list[Person]:
    """Two leads a person kept apart may share an email (a family's address); HubSpot holds one
    contact per email, so the first lead keeps it and the other goes without."""
    owners: set[str] = set()
    kept = []
    for person in sorted(people, key=lambda p: p.id):
        if person.email_key and person.email_key in owners:
            person = replace(person, email=None, email_key=None)
        elif person.email_key:
            owners.add(person.email_key)
        kept.append(person)
    return kept


def _customers_for(session: Session, people: Iterable[Person]) -> dict[str, str]:
    """The customer each email key or phone belongs to: a lead who booked is that customer."""
    emails = {p.email_key for p in people if p.email_key}
    phones = {p.phone for p in people if p.phone}
    found: dict[str, str] = {}
    if emails:
        rows = session.execute(
            select(Customer.email_key, Customer.id)
            .where(Customer.email_key.in_(emails))
            .order_by(Customer.id)
        )
        for key, customer_id in rows:
            found.setdefault(str(key), customer_id)
    if phones:
        by_phone = session.execute(
            select(Customer.phone, Customer.id)
            .where(Customer.phone.in_(phones))
            .order_by(Customer.id)
        )
        for phone, customer_id in by_phone:
            found.setdefault(str(phone), customer_id)
    return found


def _content_hash(person: Person, customer_id: str | None) -> str:
    content = {**asdict(person), "customer_id": customer_id}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
