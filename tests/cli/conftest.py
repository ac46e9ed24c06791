"""Running the command line in-process against a test store."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from ez_pipelines.canonical.db import Database
from ez_pipelines.cli import main

Invoke = Callable[..., Result]


@pytest.fixture
def invoke(sqlite_db: Database, tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    url = sqlite_db.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("EZ_DATABASE_URL", url)
    monkeypatch.setenv("EZ_HOME", str(tmp_path))

    def run(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return run
