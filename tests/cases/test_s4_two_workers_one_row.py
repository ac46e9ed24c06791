"""Many workers on one PostgreSQL outbox; every row is sent exactly once.

Claims use `FOR UPDATE SKIP LOCKED` and a lease with a fencing token: a row held by a worker is
invisible to the others until the lease runs out, and the worker whose lease ran out can no longer
settle the row.
"""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.claims import Claim, claim_batch
from ez_pipelines.outbox.settle import complete
from ez_pipelines.outbox.tables import DONE, OutboxRow
from tests.cases.s4_worker import SENDS_TABLE, run_worker
from tests.outbox.helpers import add_customers

pytestmark = pytest.mark.postgres

POLL_INTERVAL_S = 10.0
LEASE_S = 60.0


def test_eight_worker_processes_send_every_row_exactly_once(
    postgres_db: Database, postgres_url: str, clock: ManualClock
) -> None:
    # Rows are due from the past, so the workers' real clocks find every one of them due.
    add_customers(postgres_db, 200, clock.now() - timedelta(days=1))
    with postgres_db.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {SENDS_TABLE}"))
        connection.execute(sa.text(f"CREATE TABLE {SENDS_TABLE} (record_id text, worker text)"))

    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(8), context.Queue()
    workers = [
        context.Process(target=run_worker, args=(postgres_url, f"w{i}", start, results))
        for i in range(8)
    ]
    for process in workers:
        process.start()
    claimed = dict(results.get(timeout=120) for _ in workers)
    for process in workers:
        process.join(timeout=30)

    with postgres_db.engine.connect() as connection:
        sends = connection.execute(
            sa.text(f"SELECT record_id, count(*) FROM {SENDS_TABLE} GROUP BY record_id")
        ).all()
        senders = connection.execute(
            sa.text(f"SELECT count(DISTINCT worker) FROM {SENDS_TABLE}")
        ).scalar_one()
        statuses = connection.execute(
            sa.select(OutboxRow.status, sa.func.count())
            .where(OutboxRow.system == "netsuite")
            .group_by(OutboxRow.status)
        ).all()
    # The table is the test's own, not the schema's: leave the database as migrations made it.
    with postgres_db.engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {SENDS_TABLE}"))
    assert len(sends) == 200
    assert {count for _, count in sends} == {1}
    assert sum(claimed.values()) == 200
    assert senders > 1, "the workers competed for the rows"
    assert all(process.exitcode == 0 for process in workers)
    assert statuses == [(DONE, 200)]


def test_a_row_locked_by_one_claim_is_skipped_not_waited_for(
    postgres_db: Database, clock: ManualClock
) -> None:
    add_customers(postgres_db, 2, clock.now())

    with postgres_db.engine.connect() as holder, holder.begin():
        locked = holder.execute(
            sa.select(OutboxRow.record_id)
            .where(OutboxRow.system == "netsuite")
            .order_by(OutboxRow.id)
            .limit(1)
            .with_for_update()
        ).scalar_one()
        claims = claim_batch(
            postgres_db,
            system="netsuite",
            entity="customer",
            worker="B",
            limit=10,
            lease_s=LEASE_S,
            now=clock.now(),
        )

    assert locked == "C-0000"
    assert [c.record_id for c in claims] == ["C-0001"]


def test_held_row_stays_with_its_worker_until_the_lease_ends_then_late_completion_fails(
    postgres_db: Database, clock: ManualClock
) -> None:
    add_customers(postgres_db, 1, clock.now())

    def claim(worker: str) -> list[Claim]:
        return claim_batch(
            postgres_db,
            system="netsuite",
            entity="customer",
            worker=worker,
            limit=10,
            lease_s=LEASE_S,
            now=clock.now(),
        )

    (held_by_a,) = claim("A")
    clock.advance(1.5 * POLL_INTERVAL_S)
    assert claim("B") == []

    clock.advance(LEASE_S)
    (held_by_b,) = claim("B")
    with postgres_db.write() as session:
        a_accepted = complete(session, held_by_a, outcome="created", now=clock.now())
    with postgres_db.write() as session:
        b_accepted = complete(session, held_by_b, outcome="created", now=clock.now())

    assert (a_accepted, b_accepted) == (False, True)
