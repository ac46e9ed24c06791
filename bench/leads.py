"""Lead-matching benchmark: our matcher against Splink (DuckDB) on the same labelled records.

`python -m bench.leads [--sizes 10000,100000,1000000]`. For each size, records are generated
(seeded; see `bench.lead_data`) and normalised as the capture does (phones with the channel's
region, email keys, name keys). Then each engine runs in a fresh process on the same records:
ours (block, score, union-find; one process, one core) and Splink (train, predict, connected
components; DuckDB uses every core). Reported per engine: pairwise precision, recall
and F1 against the truth, wall time of the matching (from normalised records to clusters), and
the peak memory of the process and its children together (see `PeakMemory`). Normalisation is
timed once and reported in its own column; both engines read its output.

The verdict lines check the targets: at 100k, F1 at least 0.97, at least Splink's, in no more
time than Splink; at 1M, F1 at least Splink's, normalised and matched within 2 minutes and 4 GB
(the time against Splink's at 1M is in the table, not a target). The exit status is 0 only
when all of them pass.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from tabulate import tabulate

from bench.lead_data import LabelledRecord, generate
from ez_pipelines.canonical.contact_points import (
    InvalidContactPoint,
    parse_channel_phone,
    parse_email,
)
from ez_pipelines.leads.clustering import Edge, cluster
from ez_pipelines.leads.config import LEAD_MATCHING
from ez_pipelines.leads.matching import MatchRecord, Verdict, match, paused_gc
from ez_pipelines.leads.names import name_key

SEED = 20261204
TARGET_F1 = 0.97
TARGET_1M_S = 120.0
TARGET_1M_MB = 4096.0
Normalised = tuple[int, str | None, str | None, str | None, str | None]
"""(id, email key, E.164 phone, phone digits, raw name): what capture stores per record."""


@dataclass(frozen=True)
class Outcome:
    engine: str
    size: int
    precision: float
    recall: float
    f1: float
    seconds: float
    peak_mb: float
    reviews: int | None = None
    """Pairs left for a person to answer (ours only)."""
    review_precision: float | None = None
    """The share of those pairs that are truly one person."""


def normalise_chunk(records: Sequence[LabelledRecord]) -> list[Normalised]:
    out = []
    for r in records:
        email = None
        if r.email:
            try:
                email = parse_email(r.email).key
            except InvalidContactPoint:
                email = None
        phone = digits = None
        if r.phone:
            parsed = parse_channel_phone(r.phone, "AE", international=r.source == "whatsapp")
            phone = parsed.e164
            raw_digits = "".join(c for c in (phone or r.phone) if c.isdigit())
            digits = raw_digits[-9:] if len(raw_digits) >= 9 else None
        out.append((r.id, email, phone, digits, r.name))
    return out


def normalise(records: Sequence[LabelledRecord], workers: int) -> list[Normalised]:
    if workers < 2 or len(records) < 50_000:
        return normalise_chunk(records)
    size = len(records) // (workers * 4) + 1
    chunks = [records[i : i + size] for i in range(0, len(records), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return [row for part in pool.map(normalise_chunk, chunks) for row in part]


def ours(rows: Sequence[Normalised]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    """Each record's cluster, and the pairs that would wait for a person."""
    with paused_gc():
        return _ours(rows)


def _ours(rows: Sequence[Normalised]) -> tuple[dict[int, int], list[tuple[int, int]]]:
    records = [
        MatchRecord(i, {"email": e, "phone": p, "phone_digits": d, "name": n})
        for i, e, p, d, n in rows
    ]
    pairs, _ = match(records, LEAD_MATCHING)
    del records
    edges = [Edge(p.left, p.right, p.score) for p in pairs if p.verdict is Verdict.MERGE]
    vetoed = [p.key for p in pairs if p.apart]
    reviews = [p.key for p in pairs if p.verdict is Verdict.REVIEW]
    del pairs
    clustering = cluster((row[0] for row in rows), edges, soft_cannot_link=vetoed)
    found = clustering.cluster_of()
    # The unification asks one question per pair of leads, never about records already joined.
    asked = {
        tuple(sorted((found[a], found[b]))): (a, b) for a, b in reviews if found[a] != found[b]
    }
    return found, sorted(asked.values())


def splink(rows: Sequence[Normalised]) -> dict[int, int]:
    from bench.lead_splink import splink_clusters

    return splink_clusters([(i, e, p, name_key(n) if n else None) for i, e, p, _, n in rows])


def pairwise_scores(truth: dict[int, int], found: dict[int, int]) -> tuple[float, float, float]:
    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    true_pairs = pairs(Counter(truth.values()).values())
    found_pairs = pairs(Counter(found.values()).values())
    both = pairs(Counter((found[i], truth[i]) for i in truth).values())
    precision = both / found_pairs if found_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class PeakMemory:
    """The most memory the process and its children held at once while it ran: sampled every
    tenth of a second as the sum of their proportional set sizes, where a page that forked
    workers share with their parent counts once among them, not once each; never less than the
    process's own resident peak."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s = every_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_full_info().pss
                except psutil.Error:
                    continue  # a worker that ended between listing and reading
            self.peak = max(self.peak, total)
            self._stop.wait(self.every_s)

    @property
    def megabytes(self) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return max(self.peak, own) / 2**20


def run_engine(engine: str, size: int, workers: int) -> Outcome:
    """In a fresh process: generate, normalise, then time the engine alone."""
    records = generate(size, SEED)
    truth = {r.id: r.person for r in records}
    with PeakMemory() as memory:
        rows = normalise(records, workers)
        del records
        started = time.perf_counter()
        reviews: list[tuple[int, int]] | None = None
        if engine == "ours":
            found, reviews = ours(rows)
        else:
            found = splink(rows)
        seconds = time.perf_counter() - started
    precision, recall, f1 = pairwise_scores(truth, found)
    review_precision = None
    if reviews is not None:
        same = sum(1 for a, b in reviews if truth[a] == truth[b])
        review_precision = same / len(reviews) if reviews else 1.0
    peak_mb = memory.megabytes
    return Outcome(
        engine,
        size,
        precision,
        recall,
        f1,
        seconds,
        peak_mb,
        reviews=len(reviews) if reviews is not None else None,
        review_precision=review_precision,
    )


def time_normalisation(size: int, workers: int) -> float:
    records = generate(size, SEED)
    started = time.perf_counter()
    normalise(records, workers)
    return time.perf_counter() - started


def in_fresh_process(function, *args):  # type: ignore[no-untyped-def]
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.leads", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-splink-above", type=int, default=10**9,
                        help="skip Splink for sizes above this")  # fmt: skip
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    outcomes: list[Outcome] = []
    normalising: dict[int, float] = {}
    for size in sizes:
        normalising[size] = in_fresh_process(time_normalisation, size, args.workers)
        outcomes.append(in_fresh_process(run_engine, "ours", size, args.workers))
        if size <= args.no_splink_above:
            outcomes.append(in_fresh_process(run_engine, "splink", size, args.workers))
        print(_table([o for o in outcomes if o.size == size], normalising), end="\n\n")
        sys.stdout.flush()

    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(_table(outcomes, normalising))
    return 0 if _verdict(outcomes, normalising) else 1


def _table(outcomes: Sequence[Outcome], normalising: dict[int, float]) -> str:
    reference = {o.size: o for o in outcomes if o.engine == "splink"}
    rows = []
    for o in outcomes:
        ref = reference.get(o.size)
        ratio = f"{o.seconds / ref.seconds:.2f}" if ref and o.engine == "ours" else ""
        reviews = f"{o.reviews:,}" if o.reviews is not None else ""
        sure = f"{o.review_precision:.2f}" if o.review_precision is not None else ""
        rows.append(
            (f"{o.size:,}", o.engine, f"{o.precision:.4f}", f"{o.recall:.4f}", f"{o.f1:.4f}",
             f"{o.seconds:.1f}", ratio, f"{o.peak_mb:,.0f}", f"{normalising[o.size]:.1f}",
             reviews, sure)
        )  # fmt: skip
    headers = ("records", "engine", "precision", "recall", "F1", "match s", "time vs Splink",
               "peak MB", "normalise s", "reviews", "review precision")  # fmt: skip
    return tabulate(rows, headers=headers)


def _verdict(outcomes: Sequence[Outcome], normalising: dict[int, float]) -> bool:
    ok = True
    by = {(o.engine, o.size): o for o in outcomes}
    for (engine, size), o in by.items():
        if engine != "ours":
            continue
        ref = by.get(("splink", size))
        checks = []
        if size == 100_000:
            checks.append((f"F1 {o.f1:.4f} >= {TARGET_F1}", o.f1 >= TARGET_F1))
        if ref and size in (100_000, 1_000_000):
            checks.append((f"F1 >= Splink's {ref.f1:.4f}", o.f1 >= ref.f1))
        if ref and size == 100_000:
            checks.append((f"time <= Splink's {ref.seconds:.1f} s", o.seconds <= ref.seconds))
        if size == 1_000_000:
            total = o.seconds + normalising[size]
            checks.append(
                (f"normalised and matched in {total:.0f} s <= {TARGET_1M_S:.0f}", total <= 120)
            )
            checks.append((f"peak {o.peak_mb:,.0f} MB <= 4096", o.peak_mb <= TARGET_1M_MB))
        for text, passed in checks:
            print(f"{'PASS' if passed else 'FAIL'} {size:,}: {text}")
            ok = ok and passed
    return ok


if __name__ == "__main__":
    sys.exit(main())
