"""The reconciliation check: a Dubai day's gaps as a frame, judged by great-expectations.

ERROR severity, and blocking through `checks.gates`: an asset downstream of the reconciliation
(the day's revenue journal) does not materialise on a day whose check failed, in the same run or
a later one.
"""

from datetime import date, datetime

import dagster as dg
import pandas as pd

from ez_pipelines.assets.keys import RECONCILIATION
from ez_pipelines.canonical.money import format_money
from ez_pipelines.ops import quality
from ez_pipelines.payments.reconcile import DayReconciliation

RECONCILIATION_CHECK = "reconciliation_clean"
_LISTED = 5


def gap_frame(result: DayReconciliation) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "payment_id": pd.Series([g.payment_id for g in result.gaps], dtype="string"),
            "kind": pd.Series([g.kind for g in result.gaps], dtype="string"),
            "difference_minor": pd.array([g.difference_minor for g in result.gaps], dtype="Int64"),
        }
    )


def reconciliation_check_result(
    result: DayReconciliation, day: date, *, now: datetime
) -> dg.AssetCheckResult:
    verdicts = quality.evaluate(
        gap_frame(result),
        [
            quality.no_rows("no gaps"),
            quality.integer_type("difference_minor", "gap amounts are integer minor units"),
        ],
        now=now,
    )
    counts = result.by_kind()
    unaccounted = ", ".join(
        format_money(minor, currency)
        for currency, minor in sorted(result.unaccounted_minor().items())
    )
    if result.gaps:
        listed = "; ".join(f"{g.payment_id} {g.detail}" for g in result.gaps[:_LISTED])
        more = f" and {len(result.gaps) - _LISTED} more" if len(result.gaps) > _LISTED else ""
        description = (
            f"{len(result.gaps)} gaps on {day}: "
            + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            + (f"; {unaccounted} unaccounted for" if unaccounted else "")
            + f". {listed}{more}"
        )
    else:
        description = f"payments of {day} agree across Checkout.com and NetSuite"
    return dg.AssetCheckResult(
        asset_key=RECONCILIATION,
        check_name=RECONCILIATION_CHECK,
        passed=all(v.passed for v in verdicts),
        severity=dg.AssetCheckSeverity.ERROR,
        description=description,
        metadata={
            "day": day.isoformat(),
            "gaps_by_kind": dg.JsonMetadataValue(counts),
            "unaccounted_minor": dg.JsonMetadataValue(result.unaccounted_minor()),
            "payments_with_gaps": dg.JsonMetadataValue(
                sorted({g.payment_id for g in result.gaps})[:50]
            ),
            "expectations": dg.JsonMetadataValue(
                {v.rule: {"passed": v.passed, "reason": v.reason} for v in verdicts}
            ),
        },
    )
