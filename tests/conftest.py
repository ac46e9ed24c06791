"""Shared fixtures: a migrated SQLite store per test, and PostgreSQL when it is reachable.

PostgreSQL tests run against the server named by EZ_TEST_POSTGRES_URL (default: the local
`test` database). Without a server they are skipped with a message saying so, unless
EZ_REQUIRE_POSTGRES=1 (set by .ci/run), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.schema import metadata
from ez_pipelines.clock import ManualClock
from ez_pipelines.sandbox.app import create_app
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer

DEFAULT_PG_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test: migrations run once per session."""
    path = tmp_path_factory.mktemp("template") / "ez.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "ez.db"
    shutil.copy(sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    yield db
    db.dispose()


def _postgres_admin_url() -> str:
    return os.environ.get("EZ_TEST_POSTGRES_URL", DEFAULT_PG_URL)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped afterwards."""
    admin_url = _postgres_admin_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("select 1"))
    except sa.exc.OperationalError as err:
        admin.dispose()
        message = f"PostgreSQL unreachable at {admin_url}: {str(err).splitlines()[0]}"
        if os.environ.get("EZ_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message + " (PostgreSQL tests skipped)")
    name = f"ez_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_db(postgres_url: str) -> Iterator[Database]:
    db = Database.from_url(postgres_url)
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The canonical store on each backend the project supports."""
    name = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def sandbox() -> Iterator[BackgroundServer]:
    """A fresh sandbox (every stand-in, no faults) on a free loopback port."""
    with BackgroundServer(create_app()) as server:
        yield server


@pytest.fixture
def sandbox_client(sandbox: BackgroundServer) -> Iterator[SandboxClient]:
    client = SandboxClient(sandbox.base_url)
    yield client
    client.close()
