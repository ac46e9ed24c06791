"""Payments in Dagster: applying Checkout.com's events, polling what went quiet, reconciling.

The checks ride on the assets that compute their inputs (`check_specs`), so a reconciliation
is computed once and its gaps decide the check in the same step.
"""

from datetime import date

import dagster as dg

from ez_pipelines.assets.days import DUBAI_DAYS
from ez_pipelines.assets.keys import (
    CHECKOUT_EVENTS,
    NETSUITE_PAYMENT_ACTIONS,
    PAYMENT_POLLS,
    PAYMENTS,
    RECONCILIATION,
)
from ez_pipelines.checks.reconciliation import RECONCILIATION_CHECK, reconciliation_check_result
from ez_pipelines.clock import SYSTEM_CLOCK
from ez_pipelines.inbox.status import unapplied
from ez_pipelines.payments.polling import poll_payments
from ez_pipelines.payments.processing import process_events
from ez_pipelines.payments.reconcile import reconcile_day
from ez_pipelines.payments.stale import pending_too_long
from ez_pipelines.resources.database import DatabaseResource
from ez_pipelines.resources.vendors import CheckoutResource, NetSuiteResource

PENDING_WARN_S = 600.0
# Checkout.com resends for about 30 hours: an event still waiting after that will not be helped
# by a resend, and a person should look at it.
EVENT_WAIT_WARN_H = 36.0


@dg.asset(
    key=CHECKOUT_EVENTS,
    deps=[PAYMENTS],
    group_name="checkout",
    kinds={"checkout"},
    check_specs=[dg.AssetCheckSpec("no_event_waiting_long", asset=CHECKOUT_EVENTS)],
)
def checkout_events(database: DatabaseResource) -> dg.MaterializeResult:
    """Checkout.com webhook events from the inbox, applied to our payments in any order.
    Events of unknown types are kept and counted; events waiting for a payment we do not know
    warn once they have waited longer than Checkout.com keeps resending."""
    db, now = database.database(), SYSTEM_CLOCK.now()
    report = process_events(db, now=now)
    waiting = unapplied(db, "checkout")
    oldest = waiting.oldest_deferred_at
    waited_h = (now - oldest).total_seconds() / 3600 if oldest else 0.0
    return dg.MaterializeResult(
        metadata={
            "processed": report.processed,
            "changed_payments": report.changed,
            "deferred": report.deferred,
            "failed": report.failed,
            "invoices_paid": report.invoices_paid,
            "unknown_event_types": dg.JsonMetadataValue(waiting.unknown_types),
            "waiting_events": waiting.deferred,
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="no_event_waiting_long",
                passed=waited_h <= EVENT_WAIT_WARN_H,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    f"{waiting.deferred} events wait for a payment we do not know; the oldest "
                    f"for {waited_h:.1f} h (bound {EVENT_WAIT_WARN_H:.0f} h)"
                ),
                metadata={"waiting": waiting.deferred, "oldest_waited_h": round(waited_h, 2)},
            )
        ],
    )


@dg.asset(
    key=PAYMENT_POLLS,
    deps=[PAYMENTS],
    group_name="checkout",
    kinds={"checkout"},
    check_specs=[dg.AssetCheckSpec("payments_pending_too_long", asset=PAYMENT_POLLS)],
)
def checkout_payment_polls(
    database: DatabaseResource, checkout: CheckoutResource
) -> dg.MaterializeResult:
    """Unsettled payments that went quiet, looked up at Checkout.com: a lost webhook is
    recovered within one poll interval plus `poll_after_s`."""
    db, now = database.database(), SYSTEM_CLOCK.now()
    with checkout.client() as client:
        report = poll_payments(db, client, now=now, poll_after_s=checkout.poll_after_s)
    stale = pending_too_long(db, now=now, older_than_s=PENDING_WARN_S)
    return dg.MaterializeResult(
        metadata={
            "polled": report.polled,
            "changed": report.changed,
            "not_at_provider": report.not_at_provider,
            "failed": report.failed,
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="payments_pending_too_long",
                passed=not stale,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"{len(stale)} payments unsettled for over {PENDING_WARN_S:.0f} s",
                metadata={"payments": dg.JsonMetadataValue(stale[:20]), "count": len(stale)},
            )
        ],
    )


@dg.asset(
    key=RECONCILIATION,
    deps=[CHECKOUT_EVENTS, NETSUITE_PAYMENT_ACTIONS],
    partitions_def=DUBAI_DAYS,
    group_name="payments",
    # Not `blocking=True`: Dagster would fail the reconciliation's own run, which did its job.
    # What depends on a clean day calls `checks.gates.require_passing_checks` instead, which
    # stops it in this run and in any later one.
    check_specs=[dg.AssetCheckSpec(RECONCILIATION_CHECK, asset=RECONCILIATION)],
)
def payments_reconciliation(
    context: dg.AssetExecutionContext,
    database: DatabaseResource,
    checkout: CheckoutResource,
    netsuite: NetSuiteResource,
) -> dg.MaterializeResult:
    """Our payments of one Dubai day against Checkout.com's records and NetSuite's, every gap
    listed by kind: missing in NetSuite, amount differs, status differs, unknown at Checkout."""
    day = date.fromisoformat(context.partition_key)
    with checkout.client() as cko, netsuite.client() as ns:
        result = reconcile_day(database.database(), day, checkout=cko, netsuite=ns)
    counts = result.by_kind()
    return dg.MaterializeResult(
        metadata={
            "payments": result.payments,
            "captured_minor": result.captured_minor,
            "gaps": len(result.gaps),
            "gaps_by_kind": dg.JsonMetadataValue(counts),
            "gap_list": dg.JsonMetadataValue(result.rows()[:200]),
        },
        check_results=[reconciliation_check_result(result, day, now=SYSTEM_CLOCK.now())],
    )
