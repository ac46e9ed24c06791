"""NetSuite commits a journal, then the answer never arrives.

The stand-in writes the journal and then hangs past the client's read timeout, and it ignores
idempotency headers as synchronous NetSuite requests do. An upsert keyed by the journal's
external id makes the retry land on the same record; a plain create makes a second one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.dispatcher import Dispatcher
from ez_pipelines.outbox.enqueue import enqueue
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.outbox.projection import Outbound, Payload, Pushed
from ez_pipelines.outbox.tables import DEAD, DONE, OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.netsuite.client import NetSuiteClient
from tests.vendors.netsuite.support import settings_for, standin_of

JOURNAL_ID = "REVREC-BK200-20240305"
JOURNAL = {
    "subsidiary": {"id": "1"},
    "tranDate": "2024-03-05",
    "memo": "Revenue BK200 2024-03-05",
    "line": {
        "items": [
            {"account": {"id": "2400"}, "debit": 100.0, "memo": "Deferred revenue"},
            {"account": {"id": "4000"}, "credit": 100.0, "memo": "Rental revenue"},
        ]
    },
}
# The client gives up after READ_TIMEOUT_S; the stand-in answers only after HANG_S.
READ_TIMEOUT_S = 0.5
HANG_S = 1.5
ENTITY = "revenue_journal"


class RevenueJournals:
    """One day's revenue journal per record id, sent the way `write` says."""

    system = "netsuite"
    entity = ENTITY
    contract_version = "v1"

    def __init__(
        self,
        client: NetSuiteClient,
        *,
        write: Literal["upsert", "create", "create_with_external_id"],
    ) -> None:
        self.client = client
        self.write = write

    def build(self, session: Session, record_ids: Sequence[str]) -> dict[str, Payload]:
        return {record_id: JOURNAL for record_id in record_ids if record_id == JOURNAL_ID}

    def push(self, items: Sequence[Outbound]) -> Mapping[str, Pushed | SyncError]:
        results: dict[str, Pushed | SyncError] = {}
        for item in items:
            try:
                internal_id = self._send(item)
            except SyncError as err:
                results[item.record_id] = err
                continue
            results[item.record_id] = Pushed(internal_id, "created")
        return results

    def _send(self, item: Outbound) -> str:
        if self.write == "upsert":
            return self.client.upsert("journalEntry", item.record_id, item.payload)
        body: dict[str, Any] = dict(item.payload)
        if self.write == "create_with_external_id":
            body["externalId"] = item.record_id
        return self.client.create("journalEntry", body)


@pytest.fixture
def client(sandbox: BackgroundServer) -> Iterator[NetSuiteClient]:
    with NetSuiteClient(settings_for(sandbox), timeout=(1.0, READ_TIMEOUT_S)) as netsuite:
        yield netsuite


def queue_journal(db: Database) -> None:
    with db.write() as session:
        enqueue(
            session, system="netsuite", entity=ENTITY, record_id=JOURNAL_ID, now=SYSTEM_CLOCK.now()
        )


def commit_then_time_out_once(
    db: Database, sandbox_client: SandboxClient, projection: RevenueJournals
) -> Dispatcher:
    """The first attempt commits at NetSuite and times out here; the retry meets no fault."""
    queue_journal(db)
    dispatcher = Dispatcher(
        db, projection, policy=RetryPolicy(base_s=0.05, cap_s=0.2), clock=SYSTEM_CLOCK
    )
    sandbox_client.set_faults("netsuite", timeout_after_commit_rate=1.0, hang_s=HANG_S)

    first = dispatcher.dispatch_batch()

    assert first.retried == 1
    assert first.errors == {"ResponseTimedOut": 1}
    sandbox_client.set_faults("netsuite")
    dispatcher.drain(max_seconds=10)
    return dispatcher


def journals(sandbox: BackgroundServer) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = standin_of(sandbox).store.snapshot()["journalEntry"]
    return records


def the_row(db: Database) -> OutboxRow:
    with db.read() as session:
        return session.scalars(select(OutboxRow).where(OutboxRow.entity == ENTITY)).one()


def test_journal_committed_before_a_timeout_ends_as_one_record_after_the_retry(
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    sqlite_db: Database,
    client: NetSuiteClient,
) -> None:
    commit_then_time_out_once(sqlite_db, sandbox_client, RevenueJournals(client, write="upsert"))

    [journal] = journals(sandbox)
    assert journal["externalId"] == JOURNAL_ID
    with sqlite_db.read() as session:
        ref = session.get(ExternalRef, (ENTITY, JOURNAL_ID, "netsuite"))
        assert ref is not None
        assert ref.vendor_id == journal["id"]
    row = the_row(sqlite_db)
    assert (row.status, row.attempts, row.vendor_id) == (DONE, 2, journal["id"])
    puts = [r for r in standin_of(sandbox).received if r.method == "PUT"]
    assert [r.path.rsplit("/", 1)[1] for r in puts] == [f"eid:{JOURNAL_ID}"] * 2


def test_a_retried_plain_create_leaves_two_journals(
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    sqlite_db: Database,
    client: NetSuiteClient,
) -> None:
    commit_then_time_out_once(sqlite_db, sandbox_client, RevenueJournals(client, write="create"))

    # The outbox believes all is well, and the books now hold the day's revenue twice.
    assert the_row(sqlite_db).status == DONE
    assert [j["memo"] for j in journals(sandbox)] == [JOURNAL["memo"]] * 2


def test_a_retried_create_carrying_the_external_id_is_refused_and_dead_lettered(
    sandbox: BackgroundServer,
    sandbox_client: SandboxClient,
    sqlite_db: Database,
    client: NetSuiteClient,
) -> None:
    projection = RevenueJournals(client, write="create_with_external_id")

    commit_then_time_out_once(sqlite_db, sandbox_client, projection)

    row = the_row(sqlite_db)
    assert row.status == DEAD
    assert row.vendor_id is None
    assert "already exists" in (row.last_error or "")
    assert len(journals(sandbox)) == 1
