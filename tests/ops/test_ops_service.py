"""The ops service as a whole: body limits over real HTTP, liveness, its OpenAPI contract."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from ez_pipelines.canonical.db import Database
from ez_pipelines.cli import main
from ez_pipelines.clock import ManualClock
from ez_pipelines.ops.web import create_ops_app
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.settings import Settings
from tests.ops.webhook_checkout import (
    URL,
    event_body,
    post,
    settings_for,
    signed_headers,
    stored,
)

LIMIT = 1024 * 1024


@pytest.fixture
def ops_app(db: Database, clock: ManualClock, tmp_path: Path) -> Iterator[FastAPI]:
    app = create_ops_app(settings_for(tmp_path), db, clock=clock)
    yield app
    app.state.writer.close()


@pytest.fixture
def server(ops_app: FastAPI) -> Iterator[BackgroundServer]:
    with BackgroundServer(ops_app) as running:
        yield running


@pytest.fixture
def ops_client(ops_app: FastAPI) -> TestClient:
    return TestClient(ops_app)


def _event_of_size(size: int) -> bytes:
    """A valid, storable event padded to exactly `size` bytes."""
    head, tail = b'{"id":"evt_big","type":"payment_captured","data":{"note":"', b'"}}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    # A generator body makes the client send chunked transfer encoding, with no Content-Length.
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_one_mebibyte_gets_413_and_nothing_stored(
    server: BackgroundServer, db: Database, chunked: bool
) -> None:
    body = _event_of_size(LIMIT + 1)

    response = post(server.base_url, _chunks(body) if chunked else body, signed_headers(body))

    assert response.status_code == 413
    assert stored(db) == []


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_of_exactly_one_mebibyte_is_stored(
    server: BackgroundServer, db: Database, chunked: bool
) -> None:
    body = _event_of_size(LIMIT)

    response = post(server.base_url, _chunks(body) if chunked else body, signed_headers(body))

    assert response.status_code == 200
    [row] = stored(db)
    assert row.body == body


def test_liveness_answers_without_touching_the_database(tmp_path: Path, clock: ManualClock) -> None:
    # Nothing listens on port 1: any query would fail.
    unreachable = Database.from_url("postgresql+psycopg2://nobody@127.0.0.1:1/none")

    response = TestClient(create_ops_app(settings_for(tmp_path), unreachable, clock=clock)).get(
        "/healthz"
    )

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_openapi_documents_the_webhook_contract(ops_app: FastAPI) -> None:
    document = TestClient(ops_app).get("/openapi.json").json()

    operation = document["paths"][URL]["post"]
    [signature] = operation["parameters"]
    assert (signature["name"], signature["in"], signature["required"]) == (
        "Cko-Signature",
        "header",
        True,
    )
    assert "application/json" in operation["requestBody"]["content"]
    assert set(operation["responses"]) == {"200", "400", "401", "413", "503"}
    assert "/healthz" in document["paths"]


# The document does not depend on the store; generated requests go to each test's own app.
OPS_SCHEMA = schemathesis.openapi.from_asgi(
    "/openapi.json", create_ops_app(Settings.from_env({}), Database.from_url("sqlite://"))
)
OPS_SCHEMA.config.generation.update(modes=list(GenerationMode))


@OPS_SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, ops_app: FastAPI, ops_client: TestClient
) -> None:
    case.call_and_validate(app=ops_app, checks=[not_a_server_error])

    # Generated signatures never match, so each webhook case is also sent correctly signed:
    # that takes it past the signature into parsing and the database.
    if case.path == URL and isinstance(case.body, dict | list | str | int | float | bool):
        raw = json.dumps(case.body).encode()
        response = ops_client.post(URL, content=raw, headers=signed_headers(raw))
        assert response.status_code < 500, response.text


def test_serve_help_names_host_and_port() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])

    assert result.exit_code == 0, result.output
    assert "--host" in result.output and "--port" in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
def test_serve_starts_and_answers_liveness(sqlite_db: Database, tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "EZ_HOME": str(tmp_path),
        "EZ_DATABASE_URL": sqlite_db.engine.url.render_as_string(hide_password=False),
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ez_pipelines", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        answer = _wait_for_liveness(f"http://127.0.0.1:{port}/healthz", process, deadline_s=30)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    assert answer == {"status": "ok"}
    assert f"listening on http://127.0.0.1:{port}" in log.read_text()


def _wait_for_liveness(url: str, process: subprocess.Popen[bytes], deadline_s: float) -> Any:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode} before answering")
        try:
            return requests.get(url, timeout=1).json()
        except requests.ConnectionError:
            time.sleep(0.1)
    pytest.fail(f"serve did not answer {url} within {deadline_s} s")


def test_store_failure_gets_503_for_a_retry_and_the_log_quotes_no_body(
    tmp_path: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    never_migrated = Database.from_url(f"sqlite:///{tmp_path / 'empty.db'}")
    app = create_ops_app(settings_for(tmp_path), never_migrated, clock=clock)
    body = event_body("evt_unstored", customer="José Example")

    try:
        response = TestClient(app).post(URL, content=body, headers=signed_headers(body))
    finally:
        app.state.writer.close()

    assert response.status_code == 503
    assert "OperationalError" in response.json()["detail"]
    assert any(r.levelname == "ERROR" and "503" in r.getMessage() for r in caplog.records)
    # The driver's error quotes the statement's parameters; none of them reach the log.
    assert "evt_unstored" not in caplog.text and "customer" not in caplog.text
