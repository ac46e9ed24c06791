"""A webhook receiver for tests: keeps every delivery's raw bytes and headers, answers as told."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from types import TracebackType

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ez_pipelines.sandbox.server import BackgroundServer

PATH = "/webhooks/checkout"


@dataclass(frozen=True)
class Delivery:
    body: bytes
    headers: dict[str, str]
    at: float
    """When it arrived, on the monotonic clock."""


class Receiver:
    """Answers 200, or the statuses queued in `answers` first, one per delivery."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.answers: deque[int] = deque()
        self._lock = threading.Lock()
        app = FastAPI()
        app.add_api_route(PATH, self._receive, methods=["POST"])
        self.server = BackgroundServer(app)

    @property
    def url(self) -> str:
        return f"{self.server.base_url}{PATH}"

    async def _receive(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.deliveries.append(Delivery(body, dict(request.headers), time.monotonic()))
            status = self.answers.popleft() if self.answers else 200
        return Response(status_code=status)

    def answer_next(self, *statuses: int) -> None:
        """Answer the next deliveries with these statuses, then 200 again."""
        with self._lock:
            self.answers.extend(statuses)

    def clear(self) -> None:
        with self._lock:
            self.deliveries.clear()
            self.answers.clear()

    def received(self) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries)

    def wait_for(self, count: int, *, timeout_s: float = 5.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout_s
        while len(self.received()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received())} of {count} deliveries arrived")
            time.sleep(0.01)
        return self.received()

    def __enter__(self) -> Receiver:
        self.server.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.stop()
