"""What every integration's figures must stay within, and the finding each breach makes.

The one place the thresholds are read: the tiles take their colour from these findings, the
checks take their severity and their words from them, and so the alerts say what the page says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from ez_pipelines.settings import HealthSettings

if TYPE_CHECKING:
    from ez_pipelines.ops.health import OutboundFigures
    from ez_pipelines.ops.inbound import InboundFigures

GREEN, AMBER, RED = "green", "amber", "red"
NO_DEAD_LETTERS, ERROR_RATE, SYNC_LAG = "no_dead_letters", "error_rate", "sync_lag"
WEBHOOKS_REJECTED, INBOUND_BACKLOG = "webhooks_rejected", "inbound_backlog"
OUTBOUND_CHECKS = (NO_DEAD_LETTERS, ERROR_RATE, SYNC_LAG)
INBOUND_CHECKS = (WEBHOOKS_REJECTED, INBOUND_BACKLOG)
RANK = {GREEN: 0, AMBER: 1, RED: 2}

# The words for each figure, on the tile, in the check's description and in the alert.
DEAD_LETTERS = "dead letters"
ERRORS = "error rate in the last hour"
OLDEST_UNSYNCED = "oldest unsynced change"
P95_LAG = "p95 sync lag"
REJECTED = "webhooks rejected in the last hour"
OLDEST_UNPROCESSED = "oldest unprocessed inbound event"


@dataclass(frozen=True)
class Thresholds:
    lag_bound_s: float = 900.0
    """How long a change may wait to reach a vendor, or an inbound event to be applied."""
    error_rate_warn: float = 0.2
    """A share of failed calls at or above this is amber."""
    error_rate_red: float = 0.5
    """A share of failed calls at or above this is red."""

    @classmethod
    def from_settings(cls, health: HealthSettings) -> Thresholds:
        return cls(health.lag_bound_s, health.error_rate_warn, health.error_rate_red)


def percent(rate: float) -> str:
    """A share as people read it: 0.25 is `25%`, 0.2727 is `27.3%`."""
    return f"{rate:.1%}".replace(".0%", "%")


def seconds(value: float) -> str:
    return f"{value:.0f} s"


def count(value: float) -> str:
    return f"{value:.0f}"


@dataclass(frozen=True)
class Finding:
    """A figure past its threshold: what the tile, the check and the alert say."""

    status: str
    check: str
    """The health check that judges this figure: no_dead_letters, error_rate, sync_lag, ..."""
    figure: str
    value: str
    threshold: str

    def sentence(self) -> str:
        return f"{self.figure} {self.value} (threshold {self.threshold})"


def findings(
    outbound: OutboundFigures | None,
    inbound: InboundFigures | None,
    thresholds: Thresholds,
    *,
    now: datetime,
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    bound = seconds(thresholds.lag_bound_s)
    if outbound is not None:
        if outbound.dead_letters:
            found.append(
                Finding(RED, NO_DEAD_LETTERS, DEAD_LETTERS, count(outbound.dead_letters), "0")
            )
        rate = outbound.error_rate
        if rate is not None and rate >= thresholds.error_rate_warn:
            red = rate >= thresholds.error_rate_red
            limit = thresholds.error_rate_red if red else thresholds.error_rate_warn
            found.append(
                Finding(RED if red else AMBER, ERROR_RATE, ERRORS, percent(rate), percent(limit))
            )
        waited = outbound.oldest_wait_s(now)
        if waited is not None and waited > thresholds.lag_bound_s:
            found.append(Finding(AMBER, SYNC_LAG, OLDEST_UNSYNCED, seconds(waited), bound))
        if outbound.p95_lag_s is not None and outbound.p95_lag_s > thresholds.lag_bound_s:
            found.append(Finding(AMBER, SYNC_LAG, P95_LAG, seconds(outbound.p95_lag_s), bound))
    if inbound is not None:
        if inbound.rejected:
            found.append(Finding(AMBER, WEBHOOKS_REJECTED, REJECTED, count(inbound.rejected), "0"))
        oldest = inbound.oldest_waiting_at
        waited = (now - oldest).total_seconds() if oldest else None
        if waited is not None and waited > thresholds.lag_bound_s:
            found.append(
                Finding(AMBER, INBOUND_BACKLOG, OLDEST_UNPROCESSED, seconds(waited), bound)
            )
    return tuple(found)
