"""The demo's child processes: the sandbox and the webhook receiver, each on a free port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests

from ez_pipelines.sandbox.client import SandboxClient

START_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def child_process(
    arguments: list[str], env: dict[str, str], ready: Callable[[], object], name: str
) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m ez_pipelines <arguments>`, waited for until `ready()` answers, always stopped."""
    process = subprocess.Popen([sys.executable, "-m", "ez_pipelines", *arguments], env=env)
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
def receiver_process(port: int, env: dict[str, str]) -> Iterator[str]:
    """`ez-pipelines serve`; yields the URL Checkout.com's webhooks are to be sent to."""
    base = f"http://127.0.0.1:{port}"

    def ready() -> None:
        requests.get(f"{base}/healthz", timeout=1).raise_for_status()

    with child_process(["serve", "--port", str(port)], env, ready, "webhook receiver"):
        yield f"{base}/webhooks/checkout"
