"""Webhook receiver benchmark: signed Checkout.com events against GET /healthz at one rate.

`ez-pipelines serve` runs in a child process on a fresh, migrated SQLite store. This process
drives it open-loop: first the liveness probe (the reference: HTTP and framework cost only), then
distinct signed events, each at the same fixed rate after a short warm-up. The ratio of the two
shows what verifying, parsing and storing adds; the verdict is the webhook's p99 against the
target.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import platform
import sqlite3
import tempfile
import uuid
from pathlib import Path

import uvloop
from tabulate import tabulate

from bench.loadgen import PhaseResult, run_open_loop
from bench.serve_process import HOST, free_port, serving
from ez_pipelines.canonical import migrate

SECRET = "whsec_bench_only"
TARGET_P99_MS = 50.0
# The generator must itself keep the schedule for the numbers to mean anything.
MIN_RATE_SHARE = 0.95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--rate", type=float, default=500.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured duration")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds sent, not measured")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="ez-bench-") as folder:
        home = Path(folder)
        url = f"sqlite:///{home / 'ez.db'}"
        migrate.upgrade(url)
        env = {"EZ_HOME": str(home), "EZ_DATABASE_URL": url, "EZ_CHECKOUT_WEBHOOK_SECRET": SECRET}
        port = free_port()
        with serving(env, port, home / "serve.log"):
            reference, webhook = uvloop.run(_drive(port, args.rate, args.seconds, args.warmup))
        stored = _count_stored(home / "ez.db")

    sent = round(args.rate * (args.seconds + args.warmup))
    return _report(reference, webhook, args.rate, stored=stored, sent=sent)


async def _drive(
    port: int, rate: float, seconds: float, warmup_s: float
) -> tuple[PhaseResult, PhaseResult]:
    total, warmup = round(rate * (seconds + warmup_s)), round(rate * warmup_s)
    liveness = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    reference = await run_open_loop(
        "GET /healthz (reference)", HOST, port, [liveness] * total, rate=rate, warmup=warmup
    )
    events = [_signed_delivery(port, uuid.uuid4().hex[:12], index) for index in range(total)]
    webhook = await run_open_loop(
        "POST /webhooks/checkout", HOST, port, events, rate=rate, warmup=warmup
    )
    return reference, webhook


def _signed_delivery(port: int, run: str, index: int) -> bytes:
    """A distinct payment_captured event shaped like a NAS delivery, signed, as raw HTTP."""
    payment = f"pay_{run}{index:08d}"
    event = {
        "id": f"evt_{run}{index:08d}",
        "source": "gateway",
        "type": "payment_captured",
        "timestamp": "2026-11-02T08:00:00.123+00:00",
        "version": "1.0.29",
        "data": {
            "id": payment,
            "action_id": f"act_{run}{index:08d}",
            "reference": f"BK-{index:06d}",
            "amount": 45000,
            "currency": "AED",
            "processed_on": "2026-11-02T07:59:59.4695512Z",
            "response_code": "10000",
            "response_summary": "Approved",
            "balances": {
                "total_authorized": 45000,
                "total_voided": 0,
                "available_to_void": 0,
                "total_captured": 45000,
                "available_to_capture": 0,
                "total_refunded": 0,
                "available_to_refund": 45000,
            },
            "metadata": {"booking_id": f"BK-{index:06d}"},
            "event_links": {"payment": f"https://api.checkout.com/payments/{payment}"},
        },
    }
    body = json.dumps(event, separators=(",", ":")).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    head = (
        f"POST /webhooks/checkout HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Cko-Signature: {signature}\r\n\r\n"
    )
    return head.encode() + body


def _count_stored(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute("SELECT count(*) FROM inbox").fetchone()
    return int(count)


def _report(
    reference: PhaseResult, webhook: PhaseResult, rate: float, *, stored: int, sent: int
) -> int:
    percentiles = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
    rows: list[list[object]] = []
    for phase in (reference, webhook):
        rows.append(
            [phase.name, f"{phase.sent_rate:.1f}", f"{phase.answered_rate:.1f}"]
            + [f"{phase.percentile(q) * 1000:.2f}" for _, q in percentiles]
            + [phase.errors, phase.connections, f"{phase.worst_send_lag * 1000:.1f}"]
        )
    rows.append(
        ["ratio webhook / reference", "", ""]
        + [f"{webhook.percentile(q) / reference.percentile(q):.2f}" for _, q in percentiles]
        + ["", "", ""]
    )
    headers = ["endpoint", "sent/s", "answered/s"] + [f"{name} ms" for name, _ in percentiles]
    headers += ["non-200", "connections", "worst send lag ms"]

    print(f"target {rate:.0f} requests/s, {len(webhook.latencies)} measured per endpoint")
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, SQLite store")
    print(tabulate(rows, headers=headers, stralign="right", disable_numparse=True))
    for phase in (reference, webhook):
        if phase.failures:
            print(f"{phase.name}: transport failures {phase.failures}")
    print(f"inbox rows after the run: {stored} of {sent} events sent (warm-up included)")

    p99_ms = webhook.percentile(0.99) * 1000
    failures = []
    if p99_ms >= TARGET_P99_MS:
        failures.append(f"webhook p99 {p99_ms:.2f} ms is not under {TARGET_P99_MS:.0f} ms")
    if webhook.errors or stored != sent:
        failures.append(f"{webhook.errors} non-200 answers, {sent - stored} events not stored")
    for phase in (reference, webhook):
        if phase.sent_rate < MIN_RATE_SHARE * rate:
            failures.append(f"the generator sent {phase.name} at {phase.sent_rate:.0f}/s only")
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print(
        f"PASS: webhook p99 {p99_ms:.2f} ms < {TARGET_P99_MS:.0f} ms at {webhook.sent_rate:.0f}/s"
    )
    return 0
