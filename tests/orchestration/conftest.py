"""Definitions wired to a test store and a running sandbox, and a throwaway Dagster instance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.definitions import build_definitions
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings


def settings_for(db: Database, sandbox: BackgroundServer | None, home: Path) -> Settings:
    base = sandbox.base_url if sandbox else "http://127.0.0.1:9"
    return Settings.from_env(
        {
            "EZ_HOME": str(home),
            "EZ_DATABASE_URL": str(db.engine.url.render_as_string(hide_password=False)),
            "EZ_NETSUITE_BASE_URL": f"{base}/netsuite/services/rest",
            "EZ_HUBSPOT_BASE_URL": f"{base}/hubspot",
            "EZ_HTTP_READ_TIMEOUT_S": "1",
            "EZ_RETRY_BASE_S": "0.05",
            "EZ_RETRY_CAP_S": "0.5",
            "EZ_SYNC_DRAIN_S": "20",
        }
    )


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def defs(sqlite_db: Database, sandbox: BackgroundServer, tmp_path: Path) -> dg.Definitions:
    return build_definitions(settings_for(sqlite_db, sandbox, tmp_path))
