"""The dispatcher against a vendor held in a dict: outcomes, retries, dead letters, coalescing."""

from __future__ import annotations

import random
import time

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK, ManualClock
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import Permanent, RateLimited, SyncError
from ez_pipelines.outbox.plan import plan_sync, summarise
from ez_pipelines.outbox.tables import DEAD, DONE
from tests.outbox.fakes import CustomerToDict, DictVendor
from tests.outbox.helpers import add_customers, change_loyalty_tier, outbox_rows, rename


def dispatcher(db: Database, vendor: DictVendor, clock: ManualClock) -> Dispatcher:
    return Dispatcher(
        db,
        CustomerToDict(vendor),
        policy=RetryPolicy(base_s=1, cap_s=8, max_attempts=6),
        clock=clock,
        rng=random.Random(11),
        batch_size=50,
    )


def test_first_sync_creates_then_a_change_updates_and_a_noop_sends_nothing(
    db: Database, clock: ManualClock
) -> None:
    vendor = DictVendor()
    ids = add_customers(db, 3, clock.now())
    first = dispatcher(db, vendor, clock).drain(max_seconds=60)

    rename(db, ids[0], "Haddad-Khoury", clock.now())
    change_loyalty_tier(db, ids[1], "gold", clock.now())
    second = dispatcher(db, vendor, clock).drain(max_seconds=60)

    assert (first.created, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    assert vendor.calls == [ids, [ids[0]]]
    assert vendor.records[ids[0]]["name"] == "Layla Haddad-Khoury"


def test_retryable_errors_are_retried_until_the_vendor_recovers(
    db: Database, clock: ManualClock
) -> None:
    failures = {"C-0001": 3}

    def flaky(record_id: str) -> SyncError | None:
        if failures.get(record_id, 0) > 0:
            failures[record_id] -= 1
            return RateLimited("429 window full", http_status=429, retry_after_s=2)
        return None

    vendor = DictVendor(fail=flaky)
    add_customers(db, 2, clock.now())

    report = dispatcher(db, vendor, clock).drain(max_seconds=600)

    assert (report.created, report.retried, report.dead_lettered) == (2, 3, 0)
    rows = {r.record_id: r for r in outbox_rows(db)}
    assert rows["C-0001"].attempts == 4
    assert rows["C-0001"].status == DONE
    assert all(s >= 2 for s in clock.slept if s > 0.01)


def test_permanent_error_becomes_a_dead_letter_with_its_payload(
    db: Database, clock: ManualClock
) -> None:
    vendor = DictVendor(fail=lambda rid: Permanent("INVALID_CONTENT: email", http_status=400))
    add_customers(db, 1, clock.now())

    report = dispatcher(db, vendor, clock).drain(max_seconds=60)

    (row,) = outbox_rows(db)
    assert report.dead_lettered == 1
    assert (row.status, row.attempts) == (DEAD, 1)
    assert "layla0@example.test" in (row.payload or "")
    assert "INVALID_CONTENT" in (row.dead_reason or "")


def test_retry_budget_spent_goes_to_dead_letter(db: Database, clock: ManualClock) -> None:
    vendor = DictVendor(fail=lambda rid: RateLimited("429", http_status=429))
    add_customers(db, 1, clock.now())

    dispatcher(db, vendor, clock).drain(max_seconds=3600)

    (row,) = outbox_rows(db)
    assert (row.status, row.attempts) == (DEAD, 6)
    assert "retry budget spent" in (row.dead_reason or "")


def test_adapter_that_forgets_a_record_does_not_lose_it(db: Database, clock: ManualClock) -> None:
    class Forgetful(CustomerToDict):
        def push(self, items):  # type: ignore[no-untyped-def]
            return {}

    add_customers(db, 1, clock.now())
    report = Dispatcher(db, Forgetful(DictVendor()), clock=clock).dispatch_batch()

    (row,) = outbox_rows(db)
    assert report.dead_lettered == 1
    assert row.status == DEAD
    assert "no result" in (row.last_error or "")


def test_dry_run_plan_classifies_without_calling_the_vendor(
    db: Database, clock: ManualClock
) -> None:
    vendor = DictVendor()
    ids = add_customers(db, 2, clock.now())
    dispatcher(db, vendor, clock).drain(max_seconds=60)
    rename(db, ids[0], "New", clock.now())
    change_loyalty_tier(db, ids[1], "gold", clock.now())
    add_customers(db, 1, clock.now(), prefix="N")
    calls_before = len(vendor.calls)

    changes = plan_sync(db, CustomerToDict(vendor))

    assert summarise(changes) == {"create": 1, "update": 1, "unchanged": 1, "missing": 0}
    assert len(vendor.calls) == calls_before


def test_a_vendor_round_longer_than_the_lease_still_settles_its_rows(db: Database) -> None:
    class Slow(CustomerToDict):
        def push(self, items):  # type: ignore[no-untyped-def]
            time.sleep(1.2)
            return super().push(items)

    add_customers(db, 2, SYSTEM_CLOCK.now())
    slow = Dispatcher(db, Slow(DictVendor()), lease_s=0.6, rng=random.Random(1))

    report = slow.dispatch_batch()

    assert (report.created, report.fenced_out) == (2, 0)
    assert {row.status for row in outbox_rows(db)} == {DONE}
