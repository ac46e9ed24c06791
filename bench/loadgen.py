"""An open-loop HTTP/1.1 load generator on raw asyncio streams.

Requests leave on a fixed schedule whether or not earlier ones have been answered, so a slow
server cannot slow the generator down and hide its own latency. Each latency is measured from
the moment the request was due, not from when it was sent: time the generator spent behind
schedule counts against the server, never in its favour.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field

MAX_CONNECTIONS = 512


@dataclass
class PhaseResult:
    """One endpoint's run: latencies (seconds) of the measured requests, after the warm-up."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_sent: float = 0.0
    last_sent: float = 0.0
    last_answered: float = 0.0
    worst_send_lag: float = 0.0
    connections: int = 0
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def sent_rate(self) -> float:
        """Requests the generator sent per second over the measured window."""
        span = self.last_sent - self.first_sent
        return (len(self.latencies) - 1) / span if span > 0 else 0.0

    @property
    def answered_rate(self) -> float:
        """Responses per second from the first measured send to the last answer."""
        span = self.last_answered - self.first_sent
        return len(self.latencies) / span if span > 0 else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
        return ordered[rank]


class ConnectionPool:
    """Keep-alive connections to one server; a request takes an idle one or opens another."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: deque[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = deque()
        self.opened = 0
        self._slots = asyncio.Semaphore(MAX_CONNECTIONS)

    async def exchange(self, request: bytes) -> int:
        """Send one request, read its whole response; the HTTP status code."""
        async with self._slots:
            if self.idle:
                reader, writer = self.idle.pop()
                try:
                    return await self._exchange_on(reader, writer, request)
                except (ConnectionError, asyncio.IncompleteReadError):
                    # The server closed this connection while it sat idle (its keep-alive
                    # timeout); any client would reconnect and send again.
                    writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
            return await self._exchange_on(reader, writer, request)

    async def _exchange_on(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        await reader.readexactly(_content_length(head))
        if b"connection: close" in head.lower():
            writer.close()
        else:
            self.idle.append((reader, writer))
        return status

    async def close(self) -> None:
        while self.idle:
            _, writer = self.idle.pop()
            writer.close()
            await writer.wait_closed()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


async def run_open_loop(
    name: str,
    host: str,
    port: int,
    requests: list[bytes],
    *,
    rate: float,
    warmup: int,
) -> PhaseResult:
    """Send `requests` at `rate` per second; the first `warmup` are sent but not measured."""
    pool = ConnectionPool(host, port)
    result = PhaseResult(name)
    # perf_counter, not the loop's clock: uvloop's clock only moves in whole milliseconds.
    clock = time.perf_counter
    start = clock() + 0.1
    pending: set[asyncio.Task[None]] = set()

    async def one(index: int, due: float) -> None:
        try:
            status = await pool.exchange(requests[index])
        except (OSError, asyncio.IncompleteReadError, ValueError) as err:
            result.failures[type(err).__name__] = result.failures.get(type(err).__name__, 0) + 1
            status = 0
        answered = clock()
        latency = answered - due
        if index < warmup:
            return
        result.last_answered = max(result.last_answered, answered)
        if status != 200:
            result.errors += 1
        result.latencies.append(latency)

    for index in range(len(requests)):
        due = start + index / rate
        delay = due - clock()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = clock()
        if index >= warmup:
            result.worst_send_lag = max(result.worst_send_lag, sent - due)
            result.first_sent = result.first_sent or sent
            result.last_sent = sent
        task = asyncio.create_task(one(index, due))
        pending.add(task)
        task.add_done_callback(pending.discard)

    await asyncio.gather(*pending)
    result.connections = pool.opened
    await pool.close()
    return result
