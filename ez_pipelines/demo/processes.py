"""The demo's child processes: the sandbox and the webhook receiver, each on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from ez_pipelines.sandbox.client import SandboxClient

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def child_process(
    arguments: list[str],
    env: dict[str, str],
    ready: Callable[[], object],
    name: str,
    log_path: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m ez_pipelines <arguments>`, waited for until `ready()` answers, always stopped.
    Its output goes to `log_path` when given, so the demo's console shows only the demo."""
    command = [sys.executable, "-m", "ez_pipelines", *arguments]
    with ExitStack() as stack:
        output = None
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            output = stack.enter_context(log_path.open("ab"))
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        yield from _supervise(process, ready, name)


def _supervise(
    process: subprocess.Popen[bytes], ready: Callable[[], object], name: str
) -> Iterator[subprocess.Popen[bytes]]:
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                ready()
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the {name} did not start") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def sandbox_process(port: int, env: dict[str, str]) -> Iterator[SandboxClient]:
    client = SandboxClient(f"http://127.0.0.1:{port}")
    arguments = ["sandbox", "serve", "--quiet", "--port", str(port)]
    try:
        with child_process(arguments, env, client.overview, "sandbox"):
            yield client
    finally:
        client.close()


@contextmanager
def receiver_process(port: int, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`ez-pipelines serve`, logging to `log_path`; yields the URL Checkout.com's webhooks are
    to be sent to."""
    base = f"http://127.0.0.1:{port}"

    def ready() -> None:
        requests.get(f"{base}/healthz", timeout=1).raise_for_status()

    arguments = ["serve", "--port", str(port)]
    with child_process(arguments, env, ready, "webhook receiver", log_path):
        yield f"{base}/webhooks/checkout"
