"""One set of thresholds: for any figures, each check fails exactly when the page shows a
finding for it, with the severity of the finding's colour and in the finding's words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from ez_pipelines.checks.health import health_check_results
from ez_pipelines.definitions import build_resources
from ez_pipelines.ops.health import IntegrationHealth, OutboundFigures
from ez_pipelines.ops.inbound import InboundFigures
from ez_pipelines.ops.thresholds import RED, Thresholds, findings
from ez_pipelines.resources.health import HealthResource
from ez_pipelines.settings import Settings

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
THRESHOLDS = Thresholds(lag_bound_s=900, error_rate_warn=0.2, error_rate_red=0.5)


def health(
    *, failures: int = 0, dead: int = 0, waited_s: float = 0, p95: float = 10, rejected: int = 0,
    backlog_s: float | None = None,
) -> IntegrationHealth:  # fmt: skip
    outbound = OutboundFigures(
        due=1, in_flight=0, waiting_retry=0, dead_letters=dead, failures=failures,
        successes=100 - failures, p50_lag_s=5.0, p95_lag_s=p95,
        oldest_change_at=NOW - timedelta(seconds=waited_s), last_success=NOW,
    )  # fmt: skip
    inbound = InboundFigures(
        "hubspot", received=3, rejected=rejected, duplicate=0, last_received_at=NOW, waiting=1,
        oldest_waiting_at=None if backlog_s is None else NOW - timedelta(seconds=backlog_s),
    )  # fmt: skip
    return IntegrationHealth(
        "hubspot", NOW, outbound, inbound, 1, findings(outbound, inbound, THRESHOLDS, now=NOW)
    )


@pytest.mark.parametrize(
    "figures",
    [
        {},
        {"failures": 19},
        {"failures": 20},  # exactly the warning rate: amber
        {"failures": 49},
        {"failures": 50},  # exactly the red rate: red
        {"dead": 1},
        {"waited_s": 900},
        {"waited_s": 901},
        {"p95": 901.5},
        {"rejected": 1},
        {"backlog_s": 900},
        {"backlog_s": 3600},
    ],
    ids=repr,
)
def test_checks_agree_with_the_page_at_and_around_every_threshold(figures: dict) -> None:
    measured = health(**figures)

    results = list(health_check_results([measured], THRESHOLDS, now=NOW))

    for result in results:
        check = result.check_name.removeprefix("hubspot_")
        found = [f for f in measured.findings if f.check == check]
        assert result.passed == (not found), (check, result.description)
        if found:
            red = any(f.status == RED for f in found)
            expected = dg.AssetCheckSeverity.ERROR if red else dg.AssetCheckSeverity.WARN
            assert result.severity == expected
            for finding in found:
                assert finding.sentence() in (result.description or "")


def test_error_rates_read_as_percentages_in_findings_and_checks() -> None:
    measured = health(failures=27)

    [rate] = [
        r
        for r in health_check_results([measured], THRESHOLDS, now=NOW)
        if r.check_name == "hubspot_error_rate"
    ]
    quiet = [
        r
        for r in health_check_results([health(failures=5)], THRESHOLDS, now=NOW)
        if r.check_name == "hubspot_error_rate"
    ]

    assert rate.description == "hubspot: error rate in the last hour 27% (threshold 20%)"
    assert quiet[0].description == "hubspot: error rate in the last hour 5% (threshold 20%)"


def test_settings_resource_and_page_start_from_the_same_thresholds() -> None:
    from_settings = Thresholds.from_settings(Settings.from_env({}).health)

    assert from_settings == HealthResource().thresholds() == Thresholds()
    assert build_resources(Settings.from_env({}))["health"].thresholds() == from_settings
