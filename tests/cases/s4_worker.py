"""A competing dispatcher process: its vendor records every send in a PostgreSQL table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import Customer
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed

SENDS_TABLE = "s4_vendor_sends"


class RecordingVendor:
    system = "netsuite"
    entity = "customer"
    contract_version = "v1"

    def __init__(self, url: str, worker: str) -> None:
        self.engine = sa.create_engine(url)
        self.worker = worker

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        rows = session.scalars(sa.select(Customer).where(Customer.id.in_(record_ids)))
        return {c.id: {"name": c.full_name} for c in rows}

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        with self.engine.begin() as connection:
            connection.execute(
                sa.text(f"INSERT INTO {SENDS_TABLE} (record_id, worker) VALUES (:r, :w)"),
                [{"r": item.record_id, "w": self.worker} for item in items],
            )
        return {item.record_id: Pushed(f"ns-{item.record_id}", "created") for item in items}


def run_worker(url: str, worker: str, start: Any, results: Any) -> None:
    """Wait for every worker to be ready, then drain the queue competing with them.

    Puts (worker, rows claimed) on `results`.
    """
    db = Database.from_url(url)
    vendor = RecordingVendor(url, worker)
    dispatcher = Dispatcher(
        db, vendor, policy=RetryPolicy(base_s=0.05), worker=worker, batch_size=7, lease_s=30
    )
    try:
        start.wait(timeout=60)
        results.put((worker, dispatcher.drain(max_seconds=60, wait_for_retries=False).claimed))
    finally:
        vendor.engine.dispose()
        db.dispose()
