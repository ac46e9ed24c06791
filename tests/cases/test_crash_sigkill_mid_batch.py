"""A dispatcher killed with SIGKILL in the middle of a batch loses nothing and duplicates nothing.

The first `ez-pipelines sync` process is killed while its batch is half sent: NetSuite holds some
of the records, our outbox has acknowledged none of them. A second process, started afterwards,
claims the rows once their lease has run out and sends them all again; NetSuite's upsert by
external id turns the repeats into updates.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.outbox.tables import DONE, OutboxRow
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.outbox.helpers import add_customers

pytestmark = pytest.mark.slow

CUSTOMERS = 60
LEASE_S = 2.0


def sync_process(
    db_path: Path, sandbox: BackgroundServer, log: Path | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EZ_HOME": str(db_path.parent),
        "EZ_DATABASE_URL": f"sqlite:///{db_path}",
        "EZ_NETSUITE_BASE_URL": f"{sandbox.base_url}/netsuite/services/rest",
        "EZ_NETSUITE_MAX_IN_FLIGHT": "2",
        "EZ_OUTBOX_LEASE_S": str(LEASE_S),
        "EZ_OUTBOX_BATCH": str(CUSTOMERS),
        "EZ_RETRY_BASE_S": "0.1",
    }
    command = [sys.executable, "-m", "ez_pipelines", "sync", "--system", "netsuite"]
    output = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(
        [*command, "--max-seconds", "30"], env=env, stdout=output, stderr=subprocess.STDOUT
    )


def netsuite_customers(client: SandboxClient) -> list[dict[str, object]]:
    held: list[dict[str, object]] = client.records("netsuite")["records"].get("customer", [])
    return held


def test_dispatcher_killed_mid_batch_then_restarted_syncs_every_record_once(
    sqlite_db: Database, sandbox: BackgroundServer, sandbox_client: SandboxClient, tmp_path: Path
) -> None:
    db_path = Path(str(sqlite_db.engine.url.database))
    ids = add_customers(sqlite_db, CUSTOMERS, SYSTEM_CLOCK.now())
    sandbox_client.set_faults("netsuite", latency_ms=60)

    first = sync_process(db_path, sandbox)
    deadline = time.monotonic() + 60
    while len(netsuite_customers(sandbox_client)) < 10:
        assert first.poll() is None, "the first dispatcher ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    held_at_kill = len(netsuite_customers(sandbox_client))
    with sqlite_db.read() as session:
        done_at_kill = len(
            list(session.scalars(select(OutboxRow.id).where(OutboxRow.status == DONE)))
        )
    assert 10 <= held_at_kill < CUSTOMERS
    assert done_at_kill < held_at_kill, "the vendor holds records our outbox never acknowledged"

    second = sync_process(db_path, sandbox, log=tmp_path / "second.log")
    assert second.wait(timeout=60) == 0, (tmp_path / "second.log").read_text()

    held = netsuite_customers(sandbox_client)
    by_external_id = Counter(str(record["externalId"]) for record in held)
    assert sorted(by_external_id) == ids
    assert set(by_external_id.values()) == {1}
    with sqlite_db.read() as session:
        rows = list(session.scalars(select(OutboxRow).where(OutboxRow.system == "netsuite")))
        refs = {
            ref.record_id: ref.vendor_id
            for ref in session.scalars(select(ExternalRef).where(ExternalRef.system == "netsuite"))
        }
    assert {row.status for row in rows} == {DONE}, (tmp_path / "second.log").read_text()
    assert refs == {str(r["externalId"]): str(r["id"]) for r in held}
