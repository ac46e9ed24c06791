"""Finance in Dagster: documents, a revenue ledger partitioned by Dubai day, the roll-forward
and the parallel run. Each check rides on the asset that computes what it judges."""

from datetime import date

import dagster as dg

from ez_pipelines.assets.days import REVENUE_DAYS, SAME_DUBAI_DAY, reconciliation_day
from ez_pipelines.assets.keys import (
    BOOKINGS,
    DEFERRED_REVENUE,
    FINANCE_DOCUMENTS,
    PARALLEL_RUN,
    PAYMENTS,
    RECONCILIATION,
    REVENUE_JOURNALS,
)
from ez_pipelines.canonical.money import format_money
from ez_pipelines.checks.gates import require_passing_checks
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.finance.documents import refresh_documents
from ez_pipelines.finance.ledger import recognise_day
from ez_pipelines.finance.parallel_run import compare, read_manual_journals
from ez_pipelines.finance.rollforward import roll_forward
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.finance import FinanceResource

_SAMPLE = 50


def _aed(minor: int) -> str:
    return format_money(minor, "AED")


@dg.asset(key=FINANCE_DOCUMENTS, deps=[BOOKINGS, PAYMENTS], group_name="finance")
def finance_documents(database: DatabaseResource, finance: FinanceResource) -> dg.MaterializeResult:
    """One invoice per booking (rental, extensions, late fee, charges, VAT per line) and a credit
    note for each refund and cancellation, queued for NetSuite when they change."""
    report = refresh_documents(database.database(), finance.invoicing(), now=SYSTEM_CLOCK.now())
    return dg.MaterializeResult(
        metadata={
            "invoices_created": report.invoices_created,
            "invoices_updated": report.invoices_updated,
            "invoices_unchanged": report.invoices_unchanged,
            "invoices_paid": report.invoices_paid,
            "credit_notes_created": report.credit_notes_created,
        }
    )


@dg.asset(
    key=REVENUE_JOURNALS,
    deps=[FINANCE_DOCUMENTS, dg.AssetDep(RECONCILIATION, partition_mapping=SAME_DUBAI_DAY)],
    partitions_def=REVENUE_DAYS,
    group_name="finance",
    check_specs=[dg.AssetCheckSpec("journals_balanced", asset=REVENUE_JOURNALS, blocking=True)],
)
def revenue_journals(
    context: dg.AssetExecutionContext, database: DatabaseResource, finance: FinanceResource
) -> dg.MaterializeResult:
    """The rental revenue of one Dubai day, booking by booking, as journals debiting deferred
    revenue and crediting rental revenue. A day with nothing to post is an empty result.

    Nothing is posted for a day whose payments have not reconciled cleanly: the day's
    reconciliation check must have passed, in this run or an earlier one."""
    require_passing_checks(
        context, RECONCILIATION, partition=reconciliation_day(context.partition_key)
    )
    day = date.fromisoformat(context.partition_key)
    result = recognise_day(
        database.database(), day, max_lines=finance.journal_max_lines, now=SYSTEM_CLOCK.now()
    )
    unbalanced = result.unbalanced
    return dg.MaterializeResult(
        metadata={
            "day": day.isoformat(),
            "empty": result.empty,
            "recognised": _aed(result.recognised_minor),
            "recognised_minor": result.recognised_minor,
            "bookings": len(result.rows),
            "journals": dg.JsonMetadataValue([j.id for j in result.journals]),
            "journal_count": len(result.journals),
            "created": len(result.created),
            "updated": dg.JsonMetadataValue(result.updated),
            "unchanged": len(result.unchanged),
            "withdrawn": dg.JsonMetadataValue(result.withdrawn),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="journals_balanced",
                passed=not unbalanced,
                severity=dg.AssetCheckSeverity.ERROR,
                description=(
                    f"{len(unbalanced)} journals of {day} do not balance"
                    if unbalanced
                    else f"{len(result.journals)} journals of {day} balance to the fils"
                ),
                metadata={"unbalanced": dg.JsonMetadataValue(unbalanced)},
            )
        ],
    )


@dg.asset(
    key=DEFERRED_REVENUE,
    deps=[REVENUE_JOURNALS],
    partitions_def=REVENUE_DAYS,
    group_name="finance",
    check_specs=[
        dg.AssetCheckSpec("rollforward_identity", asset=DEFERRED_REVENUE),
        dg.AssetCheckSpec("ended_bookings_at_zero", asset=DEFERRED_REVENUE),
        dg.AssetCheckSpec("ledger_matches_invoices", asset=DEFERRED_REVENUE),
    ],
)
def deferred_revenue(
    context: dg.AssetExecutionContext, database: DatabaseResource
) -> dg.MaterializeResult:
    """Deferred revenue of one Dubai day: opening + invoiced - recognised - refunded = closing."""
    day = date.fromisoformat(context.partition_key)
    report = roll_forward(database.database(), day)
    totals = {
        name: _aed(getattr(report, f"{name}_minor"))
        for name in ("opening", "invoiced", "recognised", "refunded", "closing")
    }
    error = dg.AssetCheckSeverity.ERROR
    return dg.MaterializeResult(
        metadata={**totals, "detail": dg.JsonMetadataValue(report.as_metadata())},
        check_results=[
            dg.AssetCheckResult(
                check_name="rollforward_identity",
                passed=report.identity_holds,
                severity=error,
                description=f"{totals['opening']} + {totals['invoiced']} - "
                f"{totals['recognised']} - {totals['refunded']} = {totals['closing']}; "
                f"{len(report.identity_breaks)} bookings break it",
                metadata={"breaks": dg.JsonMetadataValue(report.identity_breaks[:_SAMPLE])},
            ),
            dg.AssetCheckResult(
                check_name="ended_bookings_at_zero",
                passed=report.ended_at_zero,
                severity=error,
                description=f"{len(report.ended_not_zero)} ended bookings still hold revenue",
                metadata={"bookings": dg.JsonMetadataValue(report.ended_not_zero[:_SAMPLE])},
            ),
            dg.AssetCheckResult(
                check_name="ledger_matches_invoices",
                passed=not report.invoice_mismatches,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{len(report.invoice_mismatches)} bookings invoiced otherwise",
                metadata={"bookings": dg.JsonMetadataValue(report.invoice_mismatches[:_SAMPLE])},
            ),
        ],
    )


@dg.asset(
    key=PARALLEL_RUN,
    deps=[REVENUE_JOURNALS],
    group_name="finance",
    check_specs=[dg.AssetCheckSpec("parallel_run_within_tolerance", asset=PARALLEL_RUN)],
)
def parallel_run(database: DatabaseResource, finance: FinanceResource) -> dg.MaterializeResult:
    """Finance's manual journals against ours, per day, booking and account: every difference
    listed with its size."""
    path = finance.manual_journals()
    if path is None or not path.exists():
        message = f"no manual journals at {path}; nothing to compare"
        return dg.MaterializeResult(
            metadata={"compared": 0, "note": message},
            check_results=[
                dg.AssetCheckResult(
                    check_name="parallel_run_within_tolerance", passed=True, description=message
                )
            ],
        )
    run = compare(
        database.database(),
        read_manual_journals(path),
        deferred_account=finance.deferred_revenue_account,
        revenue_account=finance.rental_revenue_account,
        tolerance_minor=finance.parallel_run_tolerance_minor,
    )
    beyond = run.beyond_tolerance
    return dg.MaterializeResult(
        metadata={
            "days": len(run.days),
            "compared": run.compared,
            "differences": len(run.differences),
            "difference_list": dg.JsonMetadataValue([d.as_row() for d in run.differences[:200]]),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="parallel_run_within_tolerance",
                passed=not beyond,
                severity=dg.AssetCheckSeverity.ERROR,
                description=f"{len(beyond)} of {run.compared} lines differ by more than "
                f"{_aed(finance.parallel_run_tolerance_minor)}",
                metadata={"beyond": dg.JsonMetadataValue([d.as_row() for d in beyond[:_SAMPLE]])},
            )
        ],
    )
