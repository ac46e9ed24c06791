"""The health checks of every integration, judged by great-expectations on its figures.

Each integration gets the same checks: `no_dead_letters` (ERROR), `error_rate` (WARN from the
warning rate, ERROR from the red one) and `sync_lag` (WARN) when it sends; `webhooks_rejected`
and `inbound_backlog` (WARN) when it receives. They ride on `ops/integration_health`, so one step
computes the figures and judges them. The bounds, the severities and the words come from
`ops.thresholds`, as the page's colours do.
"""

from collections.abc import Callable, Iterator
from datetime import datetime

import dagster as dg
import pandas as pd

from ez_pipelines.assets.keys import INTEGRATION_HEALTH
from ez_pipelines.inbox.systems import INBOUND_SYSTEMS
from ez_pipelines.ops import quality
from ez_pipelines.ops.health import IntegrationHealth
from ez_pipelines.ops.thresholds import (
    DEAD_LETTERS,
    ERROR_RATE,
    ERRORS,
    INBOUND_BACKLOG,
    INBOUND_CHECKS,
    NO_DEAD_LETTERS,
    OLDEST_UNPROCESSED,
    OLDEST_UNSYNCED,
    OUTBOUND_CHECKS,
    P95_LAG,
    RED,
    REJECTED,
    SYNC_LAG,
    WEBHOOKS_REJECTED,
    Thresholds,
    count,
    percent,
    seconds,
)
from ez_pipelines.vendors.registry import SYSTEMS

_DESCRIPTIONS = {
    NO_DEAD_LETTERS: "No sync to {name} waits for a person.",
    ERROR_RATE: "{name}'s vendor calls in the last hour mostly succeed.",
    SYNC_LAG: "Changes reach {name} within the lag bound.",
    WEBHOOKS_REJECTED: "Every webhook {name} sent in the last hour was accepted.",
    INBOUND_BACKLOG: "Events {name} sent are applied within the lag bound.",
}
_SHOWN: dict[str, Callable[[float], str]] = {
    DEAD_LETTERS: count,
    ERRORS: percent,
    OLDEST_UNSYNCED: seconds,
    P95_LAG: seconds,
    REJECTED: count,
    OLDEST_UNPROCESSED: seconds,
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
    oldest_in = inbound.oldest_waiting_at if inbound and inbound.oldest_waiting_at else now
    return pd.DataFrame(
        {
            "dead_letters": pd.array([out.dead_letters if out else 0], dtype="Int64"),
            "error_rate": pd.array([(out.error_rate if out else None) or 0.0], dtype="Float64"),
            # Instants keep whatever zone they carry: one without fails its check, with a reason.
            "oldest_change_at": pd.Series([oldest]),
            "p95_lag_s": pd.array([(out.p95_lag_s if out else None) or 0.0], dtype="Float64"),
            "rejected": pd.array([inbound.rejected if inbound else 0], dtype="Int64"),
            "oldest_waiting_at": pd.Series([oldest_in]),
        }
    )


def _rules(thresholds: Thresholds) -> dict[str, list[quality.Rule]]:
    bound = thresholds.lag_bound_s
    return {
        NO_DEAD_LETTERS: [quality.at_most("dead_letters", 0, DEAD_LETTERS)],
        # An error rate at the warning rate is amber on the page, so the check fails there too.
        ERROR_RATE: [quality.below("error_rate", thresholds.error_rate_warn, ERRORS)],
        SYNC_LAG: [
            quality.lag_at_most("oldest_change_at", bound, OLDEST_UNSYNCED),
            quality.at_most("p95_lag_s", bound, P95_LAG),
        ],
        WEBHOOKS_REJECTED: [quality.at_most("rejected", 0, REJECTED)],
        INBOUND_BACKLOG: [quality.lag_at_most("oldest_waiting_at", bound, OLDEST_UNPROCESSED)],
    }


def health_check_results(
    healths: list[IntegrationHealth], thresholds: Thresholds, *, now: datetime
) -> Iterator[dg.AssetCheckResult]:
    rules = _rules(thresholds)
    for health in healths:
        if health.integration not in HEALTH_INTEGRATIONS:
            continue
        checks = _checks_of(health.integration)
        suite = [rule for check in checks for rule in rules[check]]
        verdicts = iter(quality.evaluate(_frame(health, now), suite, now=now))
        for check in checks:
            judged = [next(verdicts) for _ in rules[check]]
            yield _result(health, check, judged, rules[check])


def _said(verdict: quality.Verdict, rule: quality.Rule) -> str:
    """A verdict in the findings' words: `p95 sync lag 12 s (threshold 900 s)`."""
    shown = _SHOWN[rule.name]
    if not isinstance(verdict.observed, int | float) or rule.bound is None:
        return f"{rule.name}: {verdict.reason}"
    return f"{rule.name} {shown(verdict.observed)} (threshold {shown(rule.bound)})"


def _result(
    health: IntegrationHealth,
    check: str,
    verdicts: list[quality.Verdict],
    rules: list[quality.Rule],
) -> dg.AssetCheckResult:
    passed = all(v.passed for v in verdicts)
    found = [f for f in health.findings if f.check == check]
    red = check == NO_DEAD_LETTERS or any(f.status == RED for f in found)
    severity = dg.AssetCheckSeverity.ERROR if red else dg.AssetCheckSeverity.WARN
    # A failure is told as the page tells it; a pass, or a verdict the page has no finding
    # for, in the same words from the verdicts.
    if not passed and found:
        figures = "; ".join(f.sentence() for f in found)
    else:
        figures = "; ".join(_said(v, r) for v, r in zip(verdicts, rules, strict=True))
    return dg.AssetCheckResult(
        asset_key=INTEGRATION_HEALTH,
        check_name=check_name(health.integration, check),
        passed=passed,
        severity=severity,
        description=f"{health.integration}: {figures}",
        metadata={
            "integration": health.integration,
            **{
                v.rule: v.observed
                for v in verdicts
                if isinstance(v.observed, int | float) and not isinstance(v.observed, bool)
            },
        },
    )
