"""Keeping a batch's leases alive while its vendor round runs."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import Clock
from ez_pipelines.outbox.claims import Claim, renew_leases


class LeaseKeeper:
    """Renews the leases of `claims` every third of a lease while the `with` block runs, so a
    slow vendor cannot make the lease run out under a live worker. A worker that dies stops
    renewing, and its rows become claimable one lease later. Renewal stops after
    `MAX_RENEWALS`, bounding how long a stuck worker can hold rows."""

    MAX_RENEWALS = 30

    def __init__(
        self, db: Database, claims: Sequence[Claim], *, lease_s: float, clock: Clock
    ) -> None:
        self.db = db
        self.claims = claims
        self.lease_s = lease_s
        self.clock = clock
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._renew, name="lease-keeper", daemon=True)

    def _renew(self) -> None:
        for _ in range(self.MAX_RENEWALS):
            if self.stop.wait(self.lease_s / 3):
                return
            renew_leases(self.db, self.claims, lease_s=self.lease_s, now=self.clock.now())

    def __enter__(self) -> LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
