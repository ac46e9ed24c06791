"""A backfill over a day no rental touches. The day materialises as an explicit empty
result, with no journal, no NetSuite call and no failed check; its neighbours post one each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from ez_pipelines.canonical.db import Database
from ez_pipelines.definitions import build_definitions
from ez_pipelines.outbox.tables import OutboxRow
from tests.finance.helpers import add_booking, dubai
from tests.orchestration.conftest import settings_for
from tests.orchestration.test_projection_assets import checks

JOURNALS = dg.AssetKey(["finance", "revenue_journals"])
RECONCILIATION = dg.AssetKey(["payments", "reconciliation"])


@pytest.fixture
def instance() -> Iterator[dg.DagsterInstance]:
    with dg.instance_for_test() as test_instance:
        yield test_instance


@pytest.fixture
def defs(sqlite_db: Database, tmp_path: Path) -> dg.Definitions:
    # No vendor is reachable: an empty day must not need one.
    return build_definitions(settings_for(sqlite_db, None, tmp_path))


def test_an_empty_day_in_a_backfill_is_an_explicit_empty_result(
    defs: dg.Definitions, instance: dg.DagsterInstance, sqlite_db: Database
) -> None:
    add_booking(sqlite_db, "B-1", pickup_at=dubai(date(2026, 11, 1)), days=1, amount_minor=10_000)
    add_booking(sqlite_db, "B-3", pickup_at=dubai(date(2026, 11, 3)), days=1, amount_minor=20_000)
    job = defs.resolve_implicit_global_asset_job_def()

    def reconcile_then_post(day: str) -> dg.ExecuteInProcessResult:
        # A day without payments reconciles cleanly, which lets its journal post.
        job.execute_in_process(
            instance=instance, asset_selection=[RECONCILIATION], partition_key=day
        )
        return job.execute_in_process(
            instance=instance, asset_selection=[JOURNALS], partition_key=day
        )

    results = {day: reconcile_then_post(day) for day in ("2026-11-01", "2026-11-02", "2026-11-03")}

    assert all(r.success for r in results.values())
    meta = {
        day: {
            k: v.value
            for k, v in r.asset_materializations_for_node("finance__revenue_journals")[
                0
            ].metadata.items()
        }
        for day, r in results.items()
    }
    assert meta["2026-11-02"]["empty"] is True
    assert meta["2026-11-02"]["journal_count"] == 0
    assert (meta["2026-11-01"]["journal_count"], meta["2026-11-03"]["journal_count"]) == (1, 1)
    assert all(e.passed for r in results.values() for e in checks(r).values())
    with sqlite_db.read() as session:
        queued = sorted(
            row.record_id
            for row in session.query(OutboxRow).filter(OutboxRow.entity == "revenue_journal")
        )
    assert queued == ["REVREC-AED-20261101-01", "REVREC-AED-20261103-01"]
