"""The matching engine is generic: another configuration matches census-style records, and
clustering gives the same clusters whatever order its inputs come in."""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from ez_pipelines.leads.clustering import Edge, cluster
from ez_pipelines.leads.comparators import Level
from ez_pipelines.leads.config import BlockingRule, FieldRule, MatchConfig
from ez_pipelines.leads.matching import (
    MatchRecord,
    MatchReport,
    PreparedRecords,
    Verdict,
    match,
)

# A census: no identifiers, so names, a date of birth and an address decide together.
CENSUS = MatchConfig(
    rules=(
        FieldRule("given", "name", {Level.EXACT: 3.0, Level.CLOSE: 2.0, Level.DIFFERENT: -4.0}),
        FieldRule("family", "name", {Level.EXACT: 4.0, Level.CLOSE: 2.5, Level.DIFFERENT: -5.0}),
        FieldRule("born", "date", {Level.EXACT: 6.0, Level.CLOSE: 2.0, Level.DIFFERENT: -6.0}),
        FieldRule("address", "text", {Level.EXACT: 3.0, Level.CLOSE: 2.0, Level.DIFFERENT: -3.0}),
    ),
    blocking=(BlockingRule(("family",)), BlockingRule(("born",))),
    merge_at=10.0,
    review_at=5.0,
    require_identifier=False,
)


def person(record_id: int, given: str, family: str, born: date, address: str) -> MatchRecord:
    return MatchRecord(
        record_id, {"given": given, "family": family, "born": born, "address": address}
    )


def test_census_records_match_on_names_date_of_birth_and_address() -> None:
    records = [
        person(1, "Margaret", "O'Brien", date(1931, 4, 12), "12 Church Lane, Kilkenny"),
        person(2, "MARGARET", "O Brien", date(1931, 12, 4), "12 Church Ln Kilkenny"),
        person(3, "Patrick", "O'Brien", date(1958, 1, 3), "12 Church Lane, Kilkenny"),
        person(4, "Margret", "O’Brien", date(1931, 4, 12), "7 Mill Road, Cork"),
    ]

    pairs, report = match(records, CENSUS)

    verdicts = {p.key: p.verdict for p in pairs}
    assert verdicts[(1, 2)] is Verdict.MERGE  # day and month swapped, address abbreviated
    assert (1, 3) not in verdicts  # a son at the same address
    assert verdicts[(1, 4)] is Verdict.REVIEW  # same birth, a typo, another address
    assert report.pairs == 6


def test_clusters_do_not_depend_on_the_order_of_edges() -> None:
    edges = [Edge(1, 2, 9.0), Edge(2, 3, 8.0), Edge(4, 5, 12.0), Edge(3, 5, 7.5)]
    expected = cluster(range(1, 7), edges, cannot_link=[(1, 4)])
    rng = random.Random(3)

    for _ in range(20):
        shuffled = edges[:]
        rng.shuffle(shuffled)
        again = cluster(reversed(range(1, 7)), shuffled, cannot_link=[(4, 1)])
        assert again.clusters == expected.clusters
    assert expected.clusters == {1: [1, 2, 3], 4: [4, 5], 6: [6]}
    assert expected.refused == [Edge(3, 5, 7.5)]


def test_a_nameless_record_on_a_family_phone_never_chains_the_relatives() -> None:
    from ez_pipelines.leads.config import LEAD_MATCHING

    family_phone = "+971507654321"
    records = [
        MatchRecord(1, {"name": "Ahmed Al-Mansouri", "phone": family_phone, "email": "a@x.test"}),
        MatchRecord(2, {"name": "Fatima Al Mansouri", "phone": family_phone}),
        MatchRecord(3, {"name": None, "phone": family_phone}),  # a WhatsApp without a name
        MatchRecord(4, {"name": "Ahmed", "phone": family_phone, "email": "a@x.test"}),
    ]

    pairs, _ = match(records, LEAD_MATCHING)
    verdicts = {p.key: p.verdict for p in pairs}
    clustering = cluster(
        [1, 2, 3, 4],
        [Edge(p.left, p.right, p.score) for p in pairs if p.verdict is Verdict.MERGE],
        soft_cannot_link=[p.key for p in pairs if p.apart],
    )

    assert verdicts[(1, 2)] is Verdict.REVIEW  # one phone, two names
    assert verdicts[(1, 3)] is Verdict.REVIEW  # could be either of them
    assert verdicts[(2, 3)] is Verdict.REVIEW
    assert verdicts[(1, 4)] is Verdict.MERGE  # the email says which one
    assert clustering.clusters == {1: [1, 4], 2: [2], 3: [3]}


def test_a_swapped_pair_of_keys_in_an_email_is_a_slip_not_another_address() -> None:
    from ez_pipelines.leads.comparators import COMPARATORS

    typo = COMPARATORS["typo"]

    assert typo.compare("dmitry_volkov@x.test", "dmitry_vlokov@x.test") is Level.CLOSE
    assert typo.compare("dmitry_volkov@x.test", "dmitri_volkova@x.test") is Level.DIFFERENT


def _value(prepared: PreparedRecords, index: int, record_id: int) -> object:
    """One record's prepared value of one field, read back from its code."""
    code = int(prepared.codes[index][prepared.positions(np.array([record_id]))[0]])
    return prepared.distinct_values[index][code] if code >= 0 else None


def _blocked_pairs_by_hand(records: list[MatchRecord], config: MatchConfig) -> set[tuple[int, int]]:
    """The candidate pairs the blocking rules describe, found the slow, obvious way."""
    prepared = PreparedRecords(records, config)
    found: set[tuple[int, int]] = set()
    for rule in config.blocking:
        blocks: dict[tuple[object, ...], list[int]] = {}
        for record in records:
            key = tuple(
                _value(prepared, prepared.fields.index(name), record.id) for name in rule.fields
            )
            if None not in key:
                blocks.setdefault(key, []).append(record.id)
        for members in blocks.values():
            if 2 <= len(members) <= rule.max_block:
                found |= {(a, b) for a in members for b in members if a < b}
    return found


def test_candidate_pairs_are_exactly_the_pairs_sharing_a_small_block() -> None:
    rng = random.Random(11)
    config = MatchConfig(
        rules=CENSUS.rules,
        blocking=(
            BlockingRule(("family",), max_block=6),
            BlockingRule(("born",)),
            BlockingRule(("given", "family"), max_block=3),
        ),
        merge_at=CENSUS.merge_at,
        review_at=CENSUS.review_at,
        require_identifier=False,
    )
    records = [
        MatchRecord(
            rng.randrange(1 << 31) if i % 7 == 0 else i,
            {
                "given": rng.choice(["Ann", "Bea", "Cai", None]),
                "family": rng.choice(["Doe", "Roe", "Poe", "Loe", None]),
                "born": rng.choice([date(1990, 1, d) for d in range(1, 9)] + [None]),
                "address": None,
            },
        )
        for i in range(400)
    ]
    records = list({r.id: r for r in records}.values())
    report = MatchReport()
    packed = PreparedRecords(records, config).candidate_pairs(report)

    pairs = {(int(p) >> 32, int(p) & 0xFFFFFFFF) for p in packed}
    assert len(pairs) == len(packed)
    assert pairs == _blocked_pairs_by_hand(records, config)
    assert report.skipped_blocks["family"] > 0
    assert report.skipped_blocks["given+family"] > 0


def test_a_field_nobody_filled_in_and_an_empty_batch_match_without_error() -> None:
    born = date(1931, 4, 12)
    records = [
        MatchRecord(i, {"given": "Margaret", "family": "O'Brien", "born": born, "address": None})
        for i in (1, 2)
    ]

    pairs, report = match(records, CENSUS)

    assert [(p.key, p.evidence()["address"]) for p in pairs] == [((1, 2), Level.MISSING)]
    assert report.pairs == 1
    assert match([], CENSUS)[0] == []
