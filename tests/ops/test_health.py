"""Every integration's figures, read from the outbox and the inbox, and the colour they make."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.inbox.store import record_event
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.history import record_samples, samples_since
from ez_pipelines.ops.inbound import DUPLICATE, REJECTED, tally_delivery
from ez_pipelines.ops.thresholds import (
    AMBER,
    ERROR_RATE,
    GREEN,
    NO_DEAD_LETTERS,
    RED,
    WEBHOOKS_REJECTED,
    Thresholds,
)
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import Permanent, SyncError, Unavailable
from tests.outbox.fakes import CustomerToDict, DictVendor
from tests.outbox.helpers import add_customers

THRESHOLDS = Thresholds(lag_bound_s=900, error_rate_warn=0.2, error_rate_red=0.5)


def sync_with_failures(db: Database, clock: ManualClock) -> None:
    """10 customers, synced 30 s after they changed: two are refused for good, one fails once."""
    add_customers(db, 10, clock.now())
    clock.advance(30)
    failed_once: set[str] = set()

    def vendor_says(record_id: str) -> SyncError | None:
        if record_id in ("C-0001", "C-0002"):
            return Permanent("400 invalid subsidiary", http_status=400)
        if record_id == "C-0003" and record_id not in failed_once:
            failed_once.add(record_id)
            return Unavailable("503", http_status=503)
        return None

    Dispatcher(
        db,
        CustomerToDict(DictVendor(fail=vendor_says)),
        policy=RetryPolicy(base_s=1, cap_s=2, max_attempts=5),
        clock=clock,
        rng=random.Random(3),
    ).drain(max_seconds=60)


def test_dead_letters_turn_an_integration_red_and_its_figures_add_up(
    db: Database, clock: ManualClock
) -> None:
    sync_with_failures(db, clock)

    by_name = {
        h.integration: h for h in integration_health(db, now=clock.now(), thresholds=THRESHOLDS)
    }

    netsuite = by_name["netsuite"]
    assert netsuite.outbound is not None
    assert (netsuite.outbound.dead_letters, netsuite.outbound.queue_depth) == (2, 0)
    assert (netsuite.outbound.failures, netsuite.outbound.successes) == (3, 8)
    assert netsuite.error_rate == 3 / 11
    assert netsuite.p95_lag_s is not None and 30 <= netsuite.p95_lag_s <= 40
    assert netsuite.last_success is not None
    assert netsuite.status == RED
    assert {f.check for f in netsuite.findings} == {NO_DEAD_LETTERS, ERROR_RATE}
    assert netsuite.findings[0].sentence() == "dead letters 2 (threshold 0)"

    hubspot = by_name["hubspot"]
    assert (hubspot.queue_depth, hubspot.status, hubspot.last_success) == (10, GREEN, None)
    assert by_name["checkout"].directions == "both"


def test_a_change_waiting_past_the_bound_turns_amber(db: Database, clock: ManualClock) -> None:
    add_customers(db, 1, clock.now())
    clock.advance(901)

    hubspot = next(
        h
        for h in integration_health(db, now=clock.now(), thresholds=THRESHOLDS)
        if h.integration == "hubspot"
    )

    assert hubspot.status == AMBER
    assert [f.sentence() for f in hubspot.findings] == [
        "oldest unsynced change 901 s (threshold 900 s)"
    ]


def test_inbound_counts_received_rejected_and_duplicate_deliveries(
    db: Database, clock: ManualClock
) -> None:
    with db.write() as session:
        for n in range(3):
            record_event(
                session, system="checkout", event_id=f"evt_{n}", event_type="payment_captured",
                occurred_at=None, body=b"{}", received_at=clock.now(), status="received",
            )  # fmt: skip
        tally_delivery(session, system="checkout", outcome=DUPLICATE, at=clock.now())
        tally_delivery(session, system="checkout", outcome=DUPLICATE, at=clock.now())
        tally_delivery(session, system="checkout", outcome=REJECTED, at=clock.now())
        # Two hours ago: outside the hour the figures cover.
        tally_delivery(
            session, system="checkout", outcome=REJECTED, at=clock.now() - timedelta(hours=2)
        )

    checkout = next(
        h
        for h in integration_health(db, now=clock.now(), thresholds=THRESHOLDS)
        if h.integration == "checkout"
    )

    assert checkout.inbound is not None
    assert (checkout.inbound.received, checkout.inbound.rejected, checkout.inbound.duplicate) == (
        3,
        1,
        2,
    )
    assert checkout.inbound.last_received_at == clock.now()
    assert checkout.inbound_waiting == 3
    assert [f.check for f in checkout.findings] == [WEBHOOKS_REJECTED]


def test_samples_are_kept_per_integration_for_the_charts(db: Database, clock: ManualClock) -> None:
    for _ in range(3):
        record_samples(db, integration_health(db, now=clock.now(), thresholds=THRESHOLDS))
        clock.advance(300)

    samples = samples_since(db, clock.now() - timedelta(days=1))

    assert sorted(samples) == ["checkout", "crisp", "hubspot", "netsuite", "whatsapp"]
    assert [s.taken_at for s in samples["netsuite"]] == [
        clock.now() - timedelta(seconds=900 - 300 * i) for i in range(3)
    ]


def test_every_health_query_reads_an_index_not_the_whole_table(
    sqlite_db: Database, clock: ManualClock
) -> None:
    """The figures must stay cheap at a million outbox rows: no query scans a table whole."""
    statements: list[str] = []

    def remember(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa.event.listen(sqlite_db.engine, "before_cursor_execute", remember)
    integration_health(sqlite_db, now=clock.now(), thresholds=THRESHOLDS)
    sa.event.remove(sqlite_db.engine, "before_cursor_execute", remember)

    scans = []
    with sqlite_db.engine.connect() as connection:
        for statement in statements:
            params = [clock.now().replace(tzinfo=None).isoformat(" ")] * statement.count("?")
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", tuple(params))
            details = [row[3] for row in plan]
            # A SCAN, even of an index, reads every row; a SEARCH reads a range.
            scans += [d for d in details if d.startswith("SCAN")]
    assert statements and scans == []
