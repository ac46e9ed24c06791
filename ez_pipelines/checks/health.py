"""The health checks of every integration, judged by great-expectations on its figures.

Each integration gets the same checks: `no_dead_letters` (ERROR), `error_rate` (WARN past the
warning rate, ERROR past the red one) and `sync_lag` (WARN) when it sends; `webhooks_rejected`
(WARN) when it receives. They ride on `ops/integration_health`, so one step computes the
figures and judges them.
"""

from collections.abc import Iterator
from datetime import datetime

import dagster as dg
import pandas as pd

from ez_pipelines.assets.keys import INTEGRATION_HEALTH
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.ops import quality
from ez_pipelines.ops.health import (
    ERROR_RATE,
    INBOUND_CHECKS,
    NO_DEAD_LETTERS,
    OUTBOUND_CHECKS,
    SYNC_LAG,
    WEBHOOKS_REJECTED,
    IntegrationHealth,
    Thresholds,
)
from ez_pipelines.vendors.registry import SYSTEMS

_DESCRIPTIONS = {
    NO_DEAD_LETTERS: "No sync to {name} waits for a person.",
    ERROR_RATE: "{name}'s vendor calls in the last hour mostly succeed.",
    SYNC_LAG: "Changes reach {name} within the lag bound.",
    WEBHOOKS_REJECTED: "Every webhook {name} sent in the last hour was accepted.",
}


def check_name(integration: str, check: str) -> str:
    return f"{integration}_{check}"


def _checks_of(integration: str) -> list[str]:
    return [
        *(OUTBOUND_CHECKS if integration in SYSTEMS else ()),
        *(INBOUND_CHECKS if integration in INBOUND_SYSTEMS else ()),
    ]


HEALTH_INTEGRATIONS = tuple(dict.fromkeys([*SYSTEMS, *INBOUND_SYSTEMS]))
HEALTH_CHECK_SPECS = [
    dg.AssetCheckSpec(
        check_name(name, check),
        asset=INTEGRATION_HEALTH,
        description=_DESCRIPTIONS[check].format(name=name),
    )
    for name in HEALTH_INTEGRATIONS
    for check in _checks_of(name)
]


def _frame(health: IntegrationHealth, now: datetime) -> pd.DataFrame:
    """One row of figures. Nothing waiting reads as an oldest change of now, no call as a zero
    error rate: a figure that is absent has nothing to fail on."""
    out, inbound = health.outbound, health.inbound
    oldest = out.oldest_change_at if out and out.oldest_change_at else now
    return pd.DataFrame(
        {
            "dead_letters": pd.array([out.dead_letters if out else 0], dtype="Int64"),
            "error_rate": pd.array([(out.error_rate if out else None) or 0.0], dtype="Float64"),
            "oldest_change_at": pd.Series([oldest], dtype="datetime64[us, UTC]"),
            "p95_lag_s": pd.array([(out.p95_lag_s if out else None) or 0.0], dtype="Float64"),
            "rejected": pd.array([inbound.rejected if inbound else 0], dtype="Int64"),
        }
    )


def health_check_results(
    healths: list[IntegrationHealth], thresholds: Thresholds, *, now: datetime
) -> Iterator[dg.AssetCheckResult]:
    bound = thresholds.lag_bound_s
    rules = {
        NO_DEAD_LETTERS: [quality.at_most("dead_letters", 0, "dead letters")],
        ERROR_RATE: [quality.at_most("error_rate", thresholds.error_rate_warn, "error rate")],
        SYNC_LAG: [
            quality.lag_at_most("oldest_change_at", bound, "oldest unsynced change (s)"),
            quality.at_most("p95_lag_s", bound, "p95 sync lag (s)"),
        ],
        WEBHOOKS_REJECTED: [quality.at_most("rejected", 0, "webhooks rejected")],
    }
    for health in healths:
        if health.integration not in HEALTH_INTEGRATIONS:
            continue
        checks = _checks_of(health.integration)
        suite = [rule for check in checks for rule in rules[check]]
        verdicts = iter(quality.evaluate(_frame(health, now), suite, now=now))
        for check in checks:
            judged = [next(verdicts) for _ in rules[check]]
            yield _result(health.integration, check, judged, thresholds)


def _result(
    integration: str, check: str, verdicts: list[quality.Verdict], thresholds: Thresholds
) -> dg.AssetCheckResult:
    passed = all(v.passed for v in verdicts)
    severity = (
        dg.AssetCheckSeverity.ERROR if check == NO_DEAD_LETTERS else dg.AssetCheckSeverity.WARN
    )
    if check == ERROR_RATE:
        rate = verdicts[0].observed
        if isinstance(rate, float) and rate >= thresholds.error_rate_red:
            severity = dg.AssetCheckSeverity.ERROR
    figures = "; ".join(f"{v.rule}: {v.reason}" for v in verdicts)
    return dg.AssetCheckResult(
        asset_key=INTEGRATION_HEALTH,
        check_name=check_name(integration, check),
        passed=passed,
        severity=severity,
        description=f"{integration}: {figures}",
        metadata={
            "integration": integration,
            **{
                v.rule: v.observed
                for v in verdicts
                if isinstance(v.observed, int | float) and not isinstance(v.observed, bool)
            },
        },
    )
