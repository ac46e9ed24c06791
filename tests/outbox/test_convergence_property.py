"""Property: however changes, retries, crashes and slow workers interleave, the vendor ends
holding the record's latest state, and no row is left for a person."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import ManualClock
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import SyncError, Unavailable
from ez_pipelines.outbox.projection import Outbound, Pushed
from ez_pipelines.outbox.tables import DEAD, PENDING
from tests.conftest import T0
from tests.outbox.fakes import CustomerToDict, DictVendor
from tests.outbox.helpers import add_customers, outbox_rows, rename

LEASE_S = 30.0
RECORD = "C-0000"

# What can happen while a worker's request is on its way to the vendor.
INTERLUDES = st.lists(st.sampled_from(["write", "expire_lease", "other_worker"]), max_size=3)
# How the vendor treats the request: applied and acknowledged, refused, applied but the
# acknowledgement lost (a timeout after commit).
FATES = st.sampled_from(["ok", "refused", "applied_unacknowledged"])
STEPS = st.lists(
    st.one_of(st.just(("write",)), st.tuples(st.just("dispatch"), INTERLUDES, FATES)),
    min_size=1,
    max_size=8,
)


class Harness:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.clock = ManualClock(T0)
        self.vendor = DictVendor()
        self.version = 0

    def write(self) -> None:
        self.version += 1
        self.clock.advance(1)
        rename(self.db, RECORD, f"v{self.version}", self.clock.now())

    def dispatcher(
        self, worker: str, push: Callable[..., Mapping[str, Pushed | SyncError]]
    ) -> Dispatcher:
        projection = CustomerToDict(self.vendor)
        projection.push = push  # type: ignore[method-assign]
        return Dispatcher(
            self.db,
            projection,
            policy=RetryPolicy(base_s=1, cap_s=4, max_attempts=1000),
            clock=self.clock,
            rng=random.Random(0),
            worker=worker,
            lease_s=LEASE_S,
        )

    def plain_push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        return CustomerToDict(self.vendor).push(items)

    def run_interlude(self, event: str) -> None:
        if event == "write":
            self.write()
        elif event == "expire_lease":
            self.clock.advance(LEASE_S + 1)
        else:
            self.dispatcher("B", self.plain_push).dispatch_batch()

    def slow_dispatch(self, interludes: list[str], fate: str) -> None:
        def push(items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
            for event in interludes:
                self.run_interlude(event)
            if fate == "refused":
                return {item.record_id: Unavailable("503") for item in items}
            results = self.plain_push(items)
            if fate == "applied_unacknowledged":
                return {item.record_id: Unavailable("read timeout") for item in items}
            return results

        self.dispatcher("A", push).dispatch_batch()

    def drain(self) -> None:
        self.dispatcher("C", self.plain_push).drain(max_seconds=3600)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
# A slow worker whose lease ends while a newer state is written and sent by another worker: its
# stale write lands last, so the record must be sent once more.
@example(steps=[("dispatch", ("write", "expire_lease", "other_worker"), "ok")])
@example(steps=[("dispatch", ("expire_lease", "write", "other_worker"), "applied_unacknowledged")])
def test_vendor_ends_with_the_latest_state_whatever_the_interleaving(
    sqlite_template: Path, steps: list[tuple[str, ...]]
) -> None:
    folder = Path(tempfile.mkdtemp())
    shutil.copy(sqlite_template, folder / "ez.db")
    db = Database.from_url(f"sqlite:///{folder / 'ez.db'}")
    try:
        harness = Harness(db)
        add_customers(db, 1, harness.clock.now())
        for step in steps:
            if step[0] == "write":
                harness.write()
            else:
                _, interludes, fate = step
                harness.slow_dispatch(list(interludes), fate)
        harness.drain()

        expected_name = f"Layla v{harness.version}" if harness.version else "Layla Haddad0"
        assert harness.vendor.records[RECORD]["name"] == expected_name
        statuses = {row.status for row in outbox_rows(db)}
        assert PENDING not in statuses
        assert DEAD not in statuses
    finally:
        db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
