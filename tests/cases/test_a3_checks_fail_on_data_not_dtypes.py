"""A frame with nullable `Int64` amounts and tz-aware instants is judged on its values.

Amounts `[150000, <NA>, 230000]` and `synced_at` with one row 3 hours old: "amount is an
integer type" passes, "no null amounts" fails with 1 unexpected value, "lag at most 2 h" fails
with 3 h observed. A naive timestamp gives a failed verdict with a reason, never an exception,
and amounts never turn into floats on the way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from ez_pipelines.checks.health import health_check_results
from ez_pipelines.checks.reconciliation import gap_frame, reconciliation_check_result
from ez_pipelines.ops import quality
from ez_pipelines.ops.health import IntegrationHealth, OutboundFigures
from ez_pipelines.ops.thresholds import Thresholds
from ez_pipelines.payments.reconcile import MISSING_IN_NETSUITE, DayReconciliation, Gap

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
THRESHOLDS = Thresholds(lag_bound_s=900, error_rate_warn=0.2, error_rate_red=0.5)
RULES = [
    quality.integer_type("amount", "amount is an integer type"),
    quality.not_null("amount", "no null amounts"),
    quality.lag_at_most("synced_at", 2 * 3600, "lag at most 2 h"),
]


def frame(synced_at: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {"amount": pd.array([150000, None, 230000], dtype="Int64"), "synced_at": synced_at}
    )


def aware_instants() -> pd.Series:
    ages = [timedelta(minutes=5), timedelta(hours=3), timedelta(minutes=30)]
    return pd.Series([NOW - age for age in ages], dtype="datetime64[ns, UTC]")


def test_nullable_integers_and_aware_instants_are_judged_on_their_values() -> None:
    data = frame(aware_instants())

    integer, not_null, lag = quality.evaluate(data, RULES, now=NOW)

    assert (integer.rule, integer.passed) == ("amount is an integer type", True)
    assert (not_null.passed, not_null.unexpected) == (False, 1)
    assert (lag.passed, lag.observed) == (False, 3 * 3600.0)
    assert lag.reason == "observed 10800, bound 7200"
    assert str(data["amount"].dtype) == "Int64"
    assert data["amount"].sum() == 380000 and isinstance(int(data["amount"].sum()), int)


@pytest.mark.parametrize(
    "synced_at",
    [
        pd.Series([NOW.replace(tzinfo=None)] * 3, dtype="datetime64[ns]"),
        pd.Series(["2026-11-02 09:00", "2026-11-02 10:00", "2026-11-02 11:00"]),
    ],
    ids=["naive-datetime64", "strings"],
)
def test_instants_without_a_zone_fail_with_a_reason_instead_of_raising(
    synced_at: pd.Series,
) -> None:
    _, _, lag = quality.evaluate(frame(synced_at), RULES, now=NOW)

    assert not lag.passed
    assert "synced_at" in lag.reason and ("time zone" in lag.reason or "not timezone" in lag.reason)


def test_a_missing_column_fails_with_a_reason() -> None:
    [verdict] = quality.evaluate(pd.DataFrame({"x": [1]}), [quality.not_null("amount")], now=NOW)

    assert (verdict.passed, verdict.reason) == (False, "column amount is missing")


def test_reconciliation_gaps_keep_integer_amounts_from_frame_to_verdict() -> None:
    result = DayReconciliation(date(2026, 11, 2), payments=3, captured_minor=120000)
    result.gaps.append(
        Gap(MISSING_IN_NETSUITE, "P-3", "capture of 400.00 AED is not in NetSuite", "act_3",
            difference_minor=40000, currency="AED")
    )  # fmt: skip

    frame_of_gaps = gap_frame(result)
    check = reconciliation_check_result(result, date(2026, 11, 2), now=NOW)

    assert str(frame_of_gaps["difference_minor"].dtype) == "Int64"
    assert not check.passed
    assert check.metadata["unaccounted_minor"].value == {"AED": 40000}
    expectations = check.metadata["expectations"].value
    assert expectations["gap amounts are integer minor units"]["passed"] is True
    assert "400.00 AED unaccounted for" in (check.description or "")


def health_with(oldest_change_at: datetime, dead_letters: int) -> IntegrationHealth:
    outbound = OutboundFigures(
        due=1, in_flight=0, waiting_retry=0, dead_letters=dead_letters, failures=0, successes=4,
        p50_lag_s=1.0, p95_lag_s=2.0, oldest_change_at=oldest_change_at, last_success=NOW,
    )  # fmt: skip
    return IntegrationHealth("netsuite", NOW, outbound, None)


def test_the_health_checks_fail_a_naive_instant_with_a_reason_and_keep_counts_integers() -> None:
    naive = health_with((NOW - timedelta(hours=3)).replace(tzinfo=None), dead_letters=2)

    results = {r.check_name: r for r in health_check_results([naive], THRESHOLDS, now=NOW)}

    lag, dead = results["netsuite_sync_lag"], results["netsuite_no_dead_letters"]
    assert not lag.passed
    assert "oldest_change_at holds timestamps without a time zone" in (lag.description or "")
    assert not dead.passed
    assert dead.metadata["dead letters"].value == 2
    assert isinstance(dead.metadata["dead letters"].value, int)


def test_a_naive_reference_instant_fails_lag_rules_with_a_reason() -> None:
    integer, not_null, lag = quality.evaluate(
        frame(aware_instants()), RULES, now=NOW.replace(tzinfo=None)
    )

    assert (integer.passed, not_null.unexpected) == (True, 1)
    assert not lag.passed and "has no time zone" in lag.reason


def test_the_health_checks_judge_an_aware_instant_on_its_age() -> None:
    late = health_with(NOW - timedelta(hours=3), dead_letters=0)

    results = {r.check_name: r for r in health_check_results([late], THRESHOLDS, now=NOW)}

    lag = results["netsuite_sync_lag"]
    assert not lag.passed
    assert "oldest unsynced change 10800 s (threshold 900 s)" in (lag.description or "")
    assert results["netsuite_no_dead_letters"].passed
