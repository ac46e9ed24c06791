"""Claims: leases with fencing tokens, and settling a row only while the claim still holds it."""

from __future__ import annotations

import random

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.backoff import Decision, RetryPolicy, decide
from ez_pipelines.outbox.claims import Claim, claim_batch, renew_leases
from ez_pipelines.outbox.errors import Permanent, Unavailable
from ez_pipelines.outbox.settle import RefUpdate, complete, record_failure
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING, SUPERSEDED, OutboxAttempt
from tests.outbox.helpers import add_customers, outbox_rows, rename

LEASE_S = 60.0


def claim(db: Database, clock: ManualClock, worker: str, limit: int = 10) -> list[Claim]:
    return claim_batch(
        db,
        system="netsuite",
        entity="customer",
        worker=worker,
        limit=limit,
        lease_s=LEASE_S,
        now=clock.now(),
    )


def test_a_claimed_row_is_not_claimed_again_inside_its_lease(
    db: Database, clock: ManualClock
) -> None:
    add_customers(db, 3, clock.now())

    first = claim(db, clock, "A", limit=2)
    clock.advance(LEASE_S * 0.9)
    second = claim(db, clock, "B")

    assert [c.record_id for c in first] == ["C-0000", "C-0001"]
    assert [c.record_id for c in second] == ["C-0002"]


def test_expired_lease_is_requeued_and_the_late_completion_is_rejected(
    db: Database, clock: ManualClock
) -> None:
    add_customers(db, 1, clock.now())
    (held_by_a,) = claim(db, clock, "A")

    clock.advance(LEASE_S + 1)
    (held_by_b,) = claim(db, clock, "B")
    with db.write() as session:
        late = complete(session, held_by_a, outcome="created", now=clock.now())
    with db.write() as session:
        current = complete(session, held_by_b, outcome="created", now=clock.now())

    assert held_by_b.token == held_by_a.token + 1
    assert (late, current) == (False, True)
    (row,) = outbox_rows(db)
    assert (row.status, row.attempts) == (DONE, 1)


def test_completion_after_lease_expiry_is_rejected_even_if_nobody_reclaimed(
    db: Database, clock: ManualClock
) -> None:
    add_customers(db, 1, clock.now())
    (held,) = claim(db, clock, "A")

    clock.advance(LEASE_S + 0.001)
    with db.write() as session:
        accepted = complete(session, held, outcome="created", now=clock.now())

    assert accepted is False
    assert outbox_rows(db)[0].status == PENDING


def test_change_during_flight_keeps_the_row_open_for_another_send(
    db: Database, clock: ManualClock
) -> None:
    (customer_id,) = add_customers(db, 1, clock.now())
    (held,) = claim(db, clock, "A")

    clock.advance(5)
    rename(db, customer_id, "Haddad-Khoury", clock.now())
    with db.write() as session:
        complete(session, held, outcome="created", now=clock.now())

    (row,) = outbox_rows(db)
    assert row.status == PENDING
    assert row.next_attempt_at == clock.now()
    assert row.lease_owner is None
    (again,) = claim(db, clock, "A")
    assert again.claimed_seq == 2


def test_completion_stores_the_vendor_reference(db: Database, clock: ManualClock) -> None:
    add_customers(db, 1, clock.now())
    (held,) = claim(db, clock, "A")

    with db.write() as session:
        complete(
            session,
            held,
            outcome="created",
            now=clock.now(),
            ref=RefUpdate("647", "v1", "ab" * 32),
        )

    with db.read() as session:
        ref = session.get(ExternalRef, ("customer", "C-0000", "netsuite"))
        assert ref is not None
        assert (ref.vendor_id, ref.contract_version, ref.synced_at) == ("647", "v1", clock.now())


def test_failure_schedules_retry_and_keeps_each_attempt(db: Database, clock: ManualClock) -> None:
    add_customers(db, 1, clock.now())
    policy = RetryPolicy(base_s=1, cap_s=10)
    rng = random.Random(5)

    for attempt in (1, 2):
        (held,) = claim(db, clock, "A")
        error = Unavailable("503 from vendor", http_status=503)
        decision = decide(
            policy, error, attempts=attempt, enqueued_at=held.enqueued_at, now=clock.now(), rng=rng
        )
        with db.write() as session:
            assert record_failure(session, held, error, decision, now=clock.now())
        assert decision.retry_at is not None
        clock.advance((decision.retry_at - clock.now()).total_seconds())

    (row,) = outbox_rows(db)
    assert (row.status, row.attempts, row.last_error_kind) == (PENDING, 2, "retryable")
    with db.read() as session:
        attempts = list(session.scalars(select(OutboxAttempt).order_by(OutboxAttempt.attempt)))
    assert [(a.attempt, a.http_status, a.decision) for a in attempts] == [
        (1, 503, "retry"),
        (2, 503, "retry"),
    ]


def test_permanent_failure_is_a_dead_letter_until_a_newer_change_succeeds(
    db: Database, clock: ManualClock
) -> None:
    (customer_id,) = add_customers(db, 1, clock.now())
    (held,) = claim(db, clock, "A")
    with db.write() as session:
        record_failure(
            session, held, Permanent("bad"), Decision(None, "permanent error"), now=clock.now()
        )
    assert outbox_rows(db)[0].status == DEAD

    rename(db, customer_id, "Haddad-2", clock.now())
    (fresh,) = claim(db, clock, "A")
    with db.write() as session:
        complete(session, fresh, outcome="updated", now=clock.now())

    assert [r.status for r in outbox_rows(db)] == [SUPERSEDED, DONE]


def test_permanent_failure_on_stale_state_retries_the_newer_state_instead(
    db: Database, clock: ManualClock
) -> None:
    (customer_id,) = add_customers(db, 1, clock.now())
    (held,) = claim(db, clock, "A")

    rename(db, customer_id, "Fixed", clock.now())
    with db.write() as session:
        record_failure(session, held, Permanent("bad"), Decision(None, "x"), now=clock.now())

    (row,) = outbox_rows(db)
    assert (row.status, row.attempts) == (PENDING, 1)


def test_a_live_lease_is_renewed_but_an_expired_one_stays_lost(
    db: Database, clock: ManualClock
) -> None:
    add_customers(db, 2, clock.now())
    live, expiring = claim(db, clock, "A")
    clock.advance(LEASE_S - 1)
    assert renew_leases(db, [live], lease_s=LEASE_S, now=clock.now()) == 1

    clock.advance(2)
    renewed = renew_leases(db, [live, expiring], lease_s=LEASE_S, now=clock.now())

    assert renewed == 1
    assert [c.record_id for c in claim(db, clock, "B")] == [expiring.record_id]
