"""Health figures at a million rows: `python -m bench.health [--rows 1000000]`.

Fills a fresh SQLite store with `--rows` outbox rows (eight days of acknowledged syncs across
the three vendors, a backlog of open rows, dead letters, failed attempts) and as many inbox
events (four systems, nearly all applied); the last hour holds the same 5,000 rows of each at
any size, the rest is history. Then it times every integration's figures against two
reference queries measured in the same run on the same store: a pass over every row of each
table, which is what a query that scans costs. The figures read index ranges, so their ratio to a
scan stays small however large the tables grow. Generated with a fixed seed.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from tabulate import tabulate

from ez_pipelines.canonical import migrate
from ez_pipelines.canonical.db import Database
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.inbox.tables import InboxEvent
from ez_pipelines.ops.health import integration_health
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.outbox.tables import DEAD, DONE, PENDING, OutboxAttempt, OutboxRow
from ez_pipelines.vendors.registry import SYSTEMS

SEED = 20261204
NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=8)
CHUNK = 50_000
REPEATS = 5
OPEN_SHARE = 0.002
DEAD_SHARE = 0.0005
ATTEMPT_SHARE = 0.05
RECENT = 5_000
"""Rows of each table in the last hour, whatever the size: a busy hour of this platform."""
# The references: one pass over every row of a table, on a column no index holds.
SCAN_OUTBOX = "SELECT count(*) FROM outbox WHERE last_error IS NULL"
SCAN_INBOX = "SELECT count(*) FROM inbox WHERE error IS NULL"


def _instant(n: int, rng: random.Random) -> datetime:
    """The last hour holds the same traffic at any size; the rest is older history."""
    if n < RECENT:
        return NOW - timedelta(hours=1) * rng.random()
    return NOW - timedelta(hours=1) - (SPAN - timedelta(hours=1)) * rng.random()


def _outbox_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(count):
        enqueued = _instant(n, rng)
        draw = rng.random()
        status = PENDING if draw < OPEN_SHARE else DEAD if draw < OPEN_SHARE + DEAD_SHARE else DONE
        completed = min(NOW, enqueued + timedelta(seconds=rng.expovariate(1 / 20)))
        yield {
            "system": SYSTEMS[n % len(SYSTEMS)],
            "entity": "customer" if n % 2 else "payment",
            "record_id": f"R-{n:08d}",
            "status": status,
            "change_seq": 1,
            "enqueued_at": enqueued,
            "changed_at": enqueued,
            "next_attempt_at": enqueued,
            "attempts": 1,
            "budget_started_at": enqueued,
            "budget_offset": 0,
            "lease_token": 0,
            "outcome": "updated" if status == DONE else None,
            "completed_at": completed if status == DONE else None,
            "dead_at": completed if status == DEAD else None,
        }


def _inbox_rows(count: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    for n in range(count):
        received = _instant(n, rng)
        waiting = rng.random() < OPEN_SHARE
        yield {
            "system": INBOUND_SYSTEMS[n % len(INBOUND_SYSTEMS)],
            "event_id": f"evt_{n:09d}",
            "event_type": "message",
            "received_at": received,
            "body": b"{}",
            "status": "received" if waiting else "processed",
            "attempts": 0 if waiting else 1,
            "processed_at": None if waiting else received,
        }


def _insert(db: Database, table: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    inserted = 0
    while True:
        chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
        if not chunk:
            return inserted
        with db.write() as session:
            session.execute(sa.insert(table), chunk)
        inserted += len(chunk)


def fill(db: Database, rows: int) -> None:
    rng = random.Random(SEED)
    _insert(db, OutboxRow.__table__, _outbox_rows(rows, rng))  # type: ignore[arg-type]
    attempts = (
        {
            "outbox_id": rng.randint(1, rows),
            "attempt": 1,
            "at": _instant(n, rng),
            "kind": "retryable",
            "error_type": "Unavailable",
            "decision": "retry",
            "message": "HTTP 503",
        }
        for n in range(int(rows * ATTEMPT_SHARE))
    )
    _insert(db, OutboxAttempt.__table__, attempts)  # type: ignore[arg-type]
    _insert(db, InboxEvent.__table__, _inbox_rows(rows, rng))  # type: ignore[arg-type]
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def best_of(work: Callable[[], object]) -> float:
    """The fastest of a few runs: the cost of the work itself, not of the machine's noise."""
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def _scan(db: Database, statement: str) -> Callable[[], object]:
    def scan() -> object:
        with db.engine.connect() as connection:
            return connection.exec_driver_sql(statement).scalar()

    return scan


def slowest_statements(db: Database, work: Callable[[], object], top: int = 3) -> list[str]:
    """The statements `work` runs that take longest, each with its time and query plan."""
    timings: list[tuple[float, str, tuple[Any, ...]]] = []
    started: list[float] = []

    def before(*_args: object) -> None:
        started.append(time.perf_counter())

    def after(_conn: object, _cursor: object, statement: str, params: Any, *_: object) -> None:
        timings.append((time.perf_counter() - started.pop(), statement, tuple(params or ())))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    sa.event.listen(db.engine, "after_cursor_execute", after)
    work()
    sa.event.remove(db.engine, "before_cursor_execute", before)
    sa.event.remove(db.engine, "after_cursor_execute", after)

    lines = []
    with db.engine.connect() as connection:
        for seconds, statement, params in sorted(timings, reverse=True)[:top]:
            plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            first = " ".join(statement.split())[:90]
            steps = "; ".join(row[3] for row in plan)
            lines.append(f"{seconds * 1000:7.1f} ms  {first}...\n           plan: {steps}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        migrate.upgrade(url)
        db = Database.from_url(url)
        started = time.perf_counter()
        fill(db, args.rows)
        print(f"filled {args.rows:,} outbox rows and {args.rows:,} inbox events "
              f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

        thresholds = Thresholds()
        health = best_of(lambda: integration_health(db, now=NOW, thresholds=thresholds))
        outbox_scan = best_of(_scan(db, SCAN_OUTBOX))
        inbox_scan = best_of(_scan(db, SCAN_INBOX))
        integrations = integration_health(db, now=NOW, thresholds=thresholds)
        slowest = slowest_statements(
            db, lambda: integration_health(db, now=NOW, thresholds=thresholds)
        )
        db.dispose()

    rows = [
        ("every integration's figures", len(integrations), f"{health * 1000:.1f}", "1.00"),
        ("reference: a scan of the outbox", 1, f"{outbox_scan * 1000:.1f}",
         f"{outbox_scan / health:.2f}"),
        ("reference: a scan of the inbox", 1, f"{inbox_scan * 1000:.1f}",
         f"{inbox_scan / health:.2f}"),
    ]  # fmt: skip
    print(tabulate(rows, headers=("query", "integrations", "best ms", "× the figures' time")))
    ratio = health / min(outbox_scan, inbox_scan)
    print(f"the figures of all {len(integrations)} integrations take {ratio:.2f} × one table scan")
    print("their slowest statements:")
    for line in slowest:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
