"""`ez-pipelines sync`: a dry run names what would change and calls no vendor; a run sends it."""

from __future__ import annotations

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from tests.cli.conftest import Invoke
from tests.outbox.helpers import add_customers, change_loyalty_tier, rename


@pytest.fixture
def against_sandbox(
    invoke: Invoke, sandbox: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> Invoke:
    monkeypatch.setenv("EZ_NETSUITE_BASE_URL", f"{sandbox.base_url}/netsuite/services/rest")
    monkeypatch.setenv("EZ_HUBSPOT_BASE_URL", f"{sandbox.base_url}/hubspot")
    return invoke


def test_dry_run_prints_creates_updates_and_unchanged_per_system_without_sending(
    against_sandbox: Invoke, sqlite_db: Database, sandbox_client: SandboxClient
) -> None:
    ids = add_customers(sqlite_db, 3, SYSTEM_CLOCK.now())
    assert against_sandbox("sync").exit_code == 0
    rename(sqlite_db, ids[0], "Haddad-Khoury", SYSTEM_CLOCK.now())
    change_loyalty_tier(sqlite_db, ids[1], "gold", SYSTEM_CLOCK.now())
    add_customers(sqlite_db, 1, SYSTEM_CLOCK.now(), prefix="NEW")
    requests_before = sandbox_client.stats("netsuite")["requests"]

    output = against_sandbox("sync", "--dry-run").output

    assert sandbox_client.stats("netsuite")["requests"] == requests_before
    for system in ("netsuite", "hubspot"):
        section = output.split(f"{system}/customer (dry run, nothing sent):")[1]
        counts = section.splitlines()[3].split()
        assert counts == ["1", "1", "1", "0"], section
    assert "would create: NEW-0000" in output
    assert f"would update: {ids[0]}" in output


def test_sync_sends_due_rows_to_both_vendors(
    against_sandbox: Invoke, sqlite_db: Database, sandbox_client: SandboxClient
) -> None:
    add_customers(sqlite_db, 4, SYSTEM_CLOCK.now())

    result = against_sandbox("sync")

    assert result.exit_code == 0
    assert sandbox_client.records("netsuite")["counts"]["customer"] == 4
    assert len(sandbox_client.records("hubspot")["contacts"]) == 4


def test_commands_refuse_a_database_behind_the_migrations(
    invoke: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("EZ_DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")

    result = invoke("deadletter", "list")

    assert result.exit_code == 1
    assert "run `ez-pipelines migrate`" in result.output
