"""Finance's manual revenue journals for a scenario's month, with a few deliberate differences.

Before switching over, finance kept its revenue journals by hand. The demo's parallel run needs
such a file: this one is what a careful spreadsheet of the month would hold (the same rules as
ours), with three mistakes planted so the comparison has something to find: a typo on one line,
a booking-day left out, and a day posted for a rental that had already ended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ez_pipelines.finance.invoicing import vat_within
from ez_pipelines.finance.parallel_run import ManualLine
from ez_pipelines.finance.recognition import BookingTerms, Refund, schedule
from ez_pipelines.finance.rental_days import dubai_date, price_pieces, rental_length
from ez_pipelines.sandbox.scenario_model import Scenario
from ez_pipelines.sandbox.scenario_payments import plan_payments

TYPO_MINOR = 1_000
EXTRA_MINOR = 10_000


@dataclass(frozen=True)
class PlantedDifference:
    kind: str
    """typo|missing|extra"""
    day: date
    booking_id: str
    accounts: tuple[str, ...]
    """The accounts whose line differs from ours."""


def month_days(month: date) -> list[date]:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return [month + timedelta(days=i) for i in range((following - month).days)]


def _terms(scenario: Scenario, vat_rate_bp: int) -> list[BookingTerms]:
    refunds: dict[str, list[Refund]] = {}
    payments = {f"P-{b.id}": b.id for b in scenario.final_bookings()}
    for phase in (1, 2):
        for refund in plan_payments(scenario, phase).refunds:
            net = refund.amount_minor - vat_within(refund.amount_minor, vat_rate_bp)
            booking_id = payments[refund.payment_id]
            refunds.setdefault(booking_id, []).append(Refund(net, scenario.month))
    extensions: dict[str, list[tuple[datetime, int]]] = {}
    for extension in scenario.extensions:
        extensions.setdefault(extension.booking_id, []).append(
            (extension.extended_to, extension.amount_minor)
        )
    terms = []
    for booking in scenario.final_bookings():
        if booking.status == "canceled":
            continue
        pieces = price_pieces(
            booking.pickup_at,
            booking.return_due_at,
            booking.rental_amount_minor,
            extensions.get(booking.id, []),
        )
        booked = pieces[-1].first + pieces[-1].days
        terms.append(
            BookingTerms(
                booking_id=booking.id,
                currency=booking.currency,
                first_day=dubai_date(booking.pickup_at),
                pieces=tuple(pieces),
                length=rental_length(booking.pickup_at, booked, booking.returned_at),
                refunds=tuple(refunds.get(booking.id, ())),
            )
        )
    return terms


def manual_journals(
    scenario: Scenario,
    *,
    vat_rate_bp: int,
    deferred_account: str,
    revenue_account: str,
) -> tuple[list[ManualLine], list[PlantedDifference]]:
    """The month's manual journal lines, and the differences planted in them."""
    days = set(month_days(scenario.month))
    lines: list[ManualLine] = []
    ended: list[tuple[date, str]] = []
    for terms in _terms(scenario, vat_rate_bp):
        for day, amount in sorted(schedule(terms).items()):
            if day in days and amount > 0:
                lines.append(ManualLine(day, terms.booking_id, deferred_account, amount, 0))
                lines.append(ManualLine(day, terms.booking_id, revenue_account, 0, amount))
        if terms.last_day + timedelta(days=2) in days:
            ended.append((terms.last_day + timedelta(days=2), terms.booking_id))

    rng = random.Random(f"{scenario.seed}-manual-journals")
    planted = []
    typo_at = rng.randrange(len(lines) // 2) * 2 + 1
    typo = lines[typo_at]
    lines[typo_at] = ManualLine(
        typo.day, typo.booking_id, typo.account, 0, typo.credit_minor + TYPO_MINOR
    )
    planted.append(PlantedDifference("typo", typo.day, typo.booking_id, (revenue_account,)))

    missing_at = rng.randrange(len(lines) // 2) * 2
    while missing_at in (typo_at - 1, typo_at):
        missing_at = rng.randrange(len(lines) // 2) * 2
    gone = lines[missing_at]
    del lines[missing_at : missing_at + 2]
    planted.append(
        PlantedDifference("missing", gone.day, gone.booking_id, (deferred_account, revenue_account))
    )

    day, booking_id = rng.choice(sorted(ended))
    lines.append(ManualLine(day, booking_id, deferred_account, EXTRA_MINOR, 0))
    lines.append(ManualLine(day, booking_id, revenue_account, 0, EXTRA_MINOR))
    planted.append(PlantedDifference("extra", day, booking_id, (deferred_account, revenue_account)))
    return sorted(lines, key=lambda line: (line.day, line.booking_id, line.account)), planted
