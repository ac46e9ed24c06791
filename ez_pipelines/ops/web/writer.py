"""Database writes for the web service, on writer threads so the event loop keeps answering.

On SQLite one thread does every write: SQLite admits one writer at a time, and writers queueing
inside the database wait on its lock with sleeps and retries, slower and less fair than queueing
in front of one thread. That thread commits whatever has queued up in one transaction (a group
commit): under load, each commit then carries many writes, and the cost of taking the lock and
of the thread winning the interpreter back from the event loop is paid once per group rather
than once per write. PostgreSQL takes concurrent writers, so a few threads write there, one
write per transaction, each on its own pooled connection.

A write is answered only after its transaction commits.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from ez_pipelines.canonical.db import Database

logger = logging.getLogger(__name__)

T = TypeVar("T")

SQLITE_GROUP = 100
POSTGRES_WRITERS = 4


@dataclass(frozen=True)
class _Write(Generic[T]):
    work: Callable[[Session], T]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[T]

    def settle(self, result: T | None, error: BaseException | None = None) -> None:
        self.loop.call_soon_threadsafe(_settle, self.future, result, error)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class StoreWriter:
    """Runs `work(session)` in a write transaction on a writer thread and awaits its result.

    `work` may run twice: when a group fails, each of its writes is retried alone, so that one
    bad write fails only itself. Transactional work is safe to re-run that way.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.thread_count = 1 if db.is_sqlite else POSTGRES_WRITERS
        self.group_size = SQLITE_GROUP if db.is_sqlite else 1
        self._queue: queue.SimpleQueue[_Write[Any] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    async def write(self, work: Callable[[Session], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        job = _Write(work, loop, future)
        with self._lock:
            self._start()
            self._queue.put(job)
        return await future

    def close(self) -> None:
        """Finish the writes already handed over, then stop the threads."""
        with self._lock:
            threads, self._threads = self._threads, []
            for _ in threads:
                self._queue.put(None)
            # Writes handed over from now on go to fresh threads on a fresh queue.
            self._queue = queue.SimpleQueue()
        for thread in threads:
            thread.join()

    def _start(self) -> None:
        # Started on first use, and again after `close`: test clients run the app's shutdown
        # after loading its schema and then keep sending requests to the same app.
        while len(self._threads) < self.thread_count:
            thread = threading.Thread(
                target=self._serve, args=(self._queue,), name="store-writer", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _serve(self, jobs: queue.SimpleQueue[_Write[Any] | None]) -> None:
        while True:
            first = jobs.get()
            if first is None:
                return
            group: list[_Write[Any]] = [first]
            stopping = False
            while len(group) < self.group_size:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                group.append(job)
            self._commit(group)
            if stopping:
                return

    def _commit(self, group: list[_Write[Any]]) -> None:
        try:
            with self.db.write() as session:
                results = [job.work(session) for job in group]
        except Exception as err:
            if len(group) == 1:
                group[0].settle(None, err)
                return
            # The error's text can quote the statement's parameters, event bodies among them.
            logger.warning(
                "a group of %d writes failed (%s); retrying each alone",
                len(group),
                type(err).__name__,
            )
            for job in group:
                self._commit([job])
            return
        for job, result in zip(group, results, strict=True):
            job.settle(result)
