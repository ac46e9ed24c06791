"""HubSpot: a ten-secondly rolling limit refuses everything for 10 s, then recovers.

Our backoff takes the wait from the 429 itself (HubSpot's window, when no Retry-After comes), so
the first retry lands after the window has emptied. A naive 0.5/1/2/4 s schedule has given up
7.5 s in, while HubSpot is still refusing.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.outbox.backoff import RetryPolicy
from ez_pipelines.outbox.errors import RateLimited
from ez_pipelines.outbox.tables import DONE
from ez_pipelines.sandbox.client import SandboxClient
from ez_pipelines.sandbox.server import BackgroundServer
from ez_pipelines.vendors.hubspot.client import HubSpotClient
from ez_pipelines.vendors.hubspot.models import UpsertInput
from tests.vendors.hubspot.support import (
    add_customer,
    hubspot_attempts,
    hubspot_client,
    hubspot_dispatcher,
    hubspot_ids,
    hubspot_rows,
)

pytestmark = pytest.mark.slow

REFUSING_FOR_S = 10.0
CUSTOMERS = 20
# Our real policy, scaled down from seconds-to-an-hour so the test takes seconds.
SCALED_POLICY = RetryPolicy(base_s=0.5, cap_s=8.0)
NAIVE_WAITS_S = (0.5, 1.0, 2.0, 4.0)


def naive_sync(client: HubSpotClient, inputs: list[UpsertInput]) -> list[tuple[float, bool]]:
    """Try, then retry after each naive wait, then give up: (seconds in, refused) per try."""
    started, tries = time.monotonic(), []
    for wait in (0.0, *NAIVE_WAITS_S):
        time.sleep(wait)
        outcome = client.batch_upsert(inputs)
        refused = all(isinstance(r, RateLimited) for r in outcome.results.values())
        tries.append((time.monotonic() - started, refused))
        if not refused:
            break
    return tries


def test_20_customers_sync_after_a_10_second_rate_limit_that_naive_backoff_gives_up_on(
    sqlite_db: Database, sandbox: BackgroundServer, sandbox_client: SandboxClient
) -> None:
    for n in range(CUSTOMERS):
        add_customer(sqlite_db, f"C{n:02d}", f"guest{n}@x.test", given=f"Guest {n}")
    dispatcher = hubspot_dispatcher(
        sqlite_db, hubspot_client(sandbox.base_url), policy=SCALED_POLICY, batch_size=10
    )
    naive_inputs = [UpsertInput(f"N{n:02d}", {"email": f"n{n}@x.test"}) for n in range(CUSTOMERS)]

    sandbox_client.configure("hubspot", rate_limited_for_s=REFUSING_FOR_S)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        naive = pool.submit(naive_sync, hubspot_client(sandbox.base_url), naive_inputs)
        report = dispatcher.drain(max_seconds=30)
        elapsed = time.monotonic() - started
        naive_tries = naive.result()

    # The naive schedule spends 7.5 s in all, inside the 10 s refusal, and every try is refused.
    assert sum(NAIVE_WAITS_S) == 7.5 < REFUSING_FOR_S
    assert len(naive_tries) == 1 + len(NAIVE_WAITS_S)
    assert all(refused for _, refused in naive_tries)
    assert naive_tries[-1][0] < REFUSING_FOR_S

    assert elapsed < 30
    assert (report.created, report.dead_lettered) == (CUSTOMERS, 0)
    assert len(hubspot_ids(sqlite_db)) == CUSTOMERS
    assert sandbox_client.records("hubspot")["counts"]["contacts"] == CUSTOMERS
    for record_id, row in hubspot_rows(sqlite_db).items():
        assert row.status == DONE, record_id
        assert row.attempts == 2, record_id
        [refusal] = hubspot_attempts(sqlite_db, row.id)
        assert (refusal.error_type, refusal.http_status) == ("RateLimited", 429)
        assert refusal.retry_at is not None
        # HubSpot sent no Retry-After: the wait is its whole window, read from its headers.
        assert (refusal.retry_at - refusal.at).total_seconds() >= REFUSING_FOR_S
        assert row.next_attempt_at == refusal.retry_at
