"""Reconciliation of one Dubai day: our payments, Checkout.com's records and NetSuite's.

Checkout.com's own view is read from its API, NetSuite's from the records our syncs keyed by
action id, and every disagreement is listed by kind with both sides' values, so finance can see
at a glance what is missing where.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.models import ExternalRef, Payment
from ez_pipelines.canonical.money import exponent, format_money
from ez_pipelines.outbox.errors import SyncError
from ez_pipelines.payments.polling import ACTION_KINDS, PaymentLookup
from ez_pipelines.payments.state import REQUESTED
from ez_pipelines.vendors.checkout.errors import PaymentNotFound
from ez_pipelines.vendors.netsuite.contract_v1 import action_external_id, record_type_of

DUBAI = ZoneInfo("Asia/Dubai")

MISSING_IN_NETSUITE = "missing_in_netsuite"
AMOUNT_DIFFERS = "amount_differs"
STATUS_DIFFERS = "status_differs"
UNKNOWN_AT_CHECKOUT = "unknown_at_checkout"
UNREADABLE = "unreadable"
READERS = 8

# Checkout.com's payment statuses in our words; "Paid" and partial captures are captured money.
CHECKOUT_STATUSES = {
    "Pending": "pending",
    "Authorized": "authorized",
    "Card Verified": "authorized",
    "Partially Captured": "captured",
    "Captured": "captured",
    "Paid": "captured",
    "Partially Refunded": "partially_refunded",
    "Refunded": "refunded",
    "Declined": "declined",
    "Voided": "voided",
    "Canceled": "canceled",
    "Expired": "expired",
}


class NetSuiteRecords(Protocol):
    def get(self, record_type: str, ref: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Gap:
    kind: str
    payment_id: str
    detail: str
    action_id: str | None = None
    difference_minor: int | None = None
    currency: str | None = None


@dataclass
class DayReconciliation:
    day: date
    payments: int = 0
    captured_minor: int = 0
    gaps: list[Gap] = field(default_factory=list)

    def by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for gap in self.gaps:
            counts[gap.kind] = counts.get(gap.kind, 0) + 1
        return counts

    def unaccounted_minor(self) -> dict[str, int]:
        """The money the gaps leave unaccounted for, in minor units per currency."""
        totals: dict[str, int] = {}
        for gap in self.gaps:
            if gap.difference_minor is not None and gap.currency:
                totals[gap.currency] = totals.get(gap.currency, 0) + abs(gap.difference_minor)
        return totals

    def rows(self) -> list[dict[str, Any]]:
        return [asdict(gap) for gap in self.gaps]


def dubai_day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=DUBAI)
    return start, start + timedelta(days=1)


def payment_days(db: Database) -> list[date]:
    """The Dubai days on which we created payments, oldest first: the days to reconcile."""
    with db.read() as session:
        created = session.scalars(select(Payment.created_at)).all()
    return sorted({instant.astimezone(DUBAI).date() for instant in created})


def reconcile_day(
    db: Database, day: date, *, checkout: PaymentLookup, netsuite: NetSuiteRecords
) -> DayReconciliation:
    """Every payment we created on Dubai day `day`, against both vendors."""
    start, end = dubai_day_bounds(day)
    with db.read() as session:
        rows = session.execute(
            select(Payment, ExternalRef.vendor_id)
            .outerjoin(
                ExternalRef,
                (ExternalRef.record_type == "payment")
                & (ExternalRef.record_id == Payment.id)
                & (ExternalRef.system == "checkout"),
            )
            .where(Payment.created_at >= start, Payment.created_at < end)
            .order_by(Payment.id)
        ).all()
    pairs: list[tuple[Payment, str | None]] = [(payment, ref) for payment, ref in rows]

    def gaps_of(pair: tuple[Payment, str | None]) -> Sequence[Gap]:
        payment, ref = pair
        return _payment_gaps(payment, payment.provider_payment_id or ref, checkout, netsuite)

    # Each payment costs two or three reads; several in flight at once keep a day of a thousand
    # payments within a minute or two. The clients pace them under each vendor's limits.
    with ThreadPoolExecutor(READERS, thread_name_prefix="reconcile") as pool:
        found = list(pool.map(gaps_of, pairs))
    # A vendor that could not be read is asked once more at the end, when a brief outage has
    # had time to pass; what still cannot be read stays a gap, never a pass.
    for index, gaps in enumerate(found):
        if any(gap.kind == UNREADABLE for gap in gaps):
            found[index] = gaps_of(pairs[index])

    result = DayReconciliation(day)
    for (payment, _), gaps in zip(pairs, found, strict=True):
        result.payments += 1
        result.captured_minor += payment.captured_minor
        result.gaps.extend(gaps)
    return result


def _payment_gaps(
    payment: Payment,
    provider_id: str | None,
    checkout: PaymentLookup,
    netsuite: NetSuiteRecords,
) -> Sequence[Gap]:
    if provider_id is None:
        if payment.status == REQUESTED:
            return []  # not sent yet: the outbox and its checks watch it
        return [Gap(UNKNOWN_AT_CHECKOUT, payment.id, "no Checkout.com id for a sent payment")]
    try:
        details = checkout.get_payment(provider_id)
        actions = checkout.get_actions(provider_id)
    except PaymentNotFound:
        return [Gap(UNKNOWN_AT_CHECKOUT, payment.id, f"Checkout.com has no {provider_id}")]
    except SyncError as err:
        return [Gap(UNREADABLE, payment.id, f"Checkout.com could not be read: {err}")]

    gaps: list[Gap] = []
    theirs = CHECKOUT_STATUSES.get(details.status, details.status)
    if theirs != payment.status:
        gaps.append(Gap(STATUS_DIFFERS, payment.id, f"ours {payment.status}, theirs {theirs}"))
    if details.balances.total_captured != payment.captured_minor:
        difference = details.balances.total_captured - payment.captured_minor
        gaps.append(
            Gap(
                AMOUNT_DIFFERS,
                payment.id,
                f"captured: ours {format_money(payment.captured_minor, payment.currency)}, "
                f"Checkout.com {format_money(details.balances.total_captured, payment.currency)}",
                difference_minor=difference,
                currency=payment.currency,
            )
        )
    for action in actions:
        if not action.approved or action.type not in ACTION_KINDS:
            continue
        gaps.extend(
            _netsuite_gaps(payment, action.id, ACTION_KINDS[action.type], action.amount, netsuite)
        )
    return gaps


def _netsuite_gaps(
    payment: Payment, action_id: str, kind: str, amount_minor: int, netsuite: NetSuiteRecords
) -> list[Gap]:
    try:
        record = netsuite.get(record_type_of(kind), f"eid:{action_external_id(action_id)}")
    except SyncError as err:
        return [Gap(UNREADABLE, payment.id, f"NetSuite could not be read: {err}", action_id)]
    money = format_money(amount_minor, payment.currency)
    if record is None:
        return [
            Gap(
                MISSING_IN_NETSUITE,
                payment.id,
                f"{kind} of {money} is not in NetSuite",
                action_id,
                difference_minor=amount_minor,
                currency=payment.currency,
            )
        ]
    recorded = record.get("payment" if kind == "capture" else "total")
    recorded_minor = _minor(recorded, payment.currency)
    if recorded_minor != amount_minor:
        return [
            Gap(
                AMOUNT_DIFFERS,
                payment.id,
                f"{kind}: Checkout.com {money}, NetSuite {recorded}",
                action_id,
                difference_minor=amount_minor - (recorded_minor or 0),
                currency=payment.currency,
            )
        ]
    return []


def _minor(value: Any, currency: str) -> int | None:
    """NetSuite's number back in minor units (it holds what we sent, as a JSON number)."""
    try:
        return int(Decimal(str(value)).scaleb(exponent(currency)))
    except (InvalidOperation, ValueError, TypeError):
        return None
