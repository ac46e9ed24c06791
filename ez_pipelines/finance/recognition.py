"""Daily revenue recognition for one booking: a walk over its Dubai days, the past kept as posted.

The rules (the README's "Revenue recognition" states them for finance):
- Each piece of the price is spread evenly over its own rental days by cumulative rounding: the
  booked price over the booked days, each extension over the days it adds. An extension never
  changes the daily rate of the price agreed before it.
- Posted days are never restated. A change (an extension, an early return, a refund) moves only
  the days not posted yet: the amount still deferred is spread over the days left in proportion
  to what each would have recognised, so an unchanged booking posts exactly its even schedule.
- On the rental's last day (or the first unposted day after it) everything still deferred is
  recognised, so an ended booking holds nothing in deferred revenue.
- A refund is taken out of deferred revenue on the day it is given, but never before the rental
  started nor after it ended (an ended rental's refund is taken on its last day when that day is
  not posted yet, otherwise on the first day not posted). The part of a refund larger than what
  is still deferred reverses recognised revenue that day: the one case a day goes negative.

Every day is computed from the booking and the days before it, posted or not, in order; so a day
computed alone, with nothing posted, equals the same day of a backfill run day by day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta

from ez_pipelines.finance.rental_days import Piece


@dataclass(frozen=True)
class Refund:
    amount_minor: int
    """The rental value given back, VAT excluded."""
    day: date
    """The Dubai day it was given."""


@dataclass(frozen=True)
class BookingTerms:
    """What recognition needs to know about a booking, as it stands now."""

    booking_id: str
    currency: str
    first_day: date
    pieces: tuple[Piece, ...]
    length: int
    """Rental days the revenue is spread over (fewer than booked after an early return)."""
    refunds: tuple[Refund, ...] = ()
    canceled: bool = False

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.length - 1)

    @property
    def contract_minor(self) -> int:
        return 0 if self.canceled else sum(p.amount_minor for p in self.pieces)

    @property
    def refunded_minor(self) -> int:
        return sum(r.amount_minor for r in self.refunds)

    def ideal_through(self, index: int) -> int:
        """What the pieces recognise by the end of rental day `index`, capped at the last day."""
        if self.canceled:
            return 0
        capped = min(index, self.length - 1)
        return sum(p.cumulative(capped) for p in self.pieces)


@dataclass(frozen=True)
class DayRow:
    """One booking's deferred revenue movements on one day."""

    booking_id: str
    day: date
    currency: str
    opening_minor: int
    invoiced_minor: int
    recognised_minor: int
    refunded_minor: int
    ended: bool

    @property
    def closing_minor(self) -> int:
        return (
            self.opening_minor + self.invoiced_minor - self.recognised_minor - self.refunded_minor
        )

    @property
    def moved(self) -> bool:
        return bool(self.invoiced_minor or self.recognised_minor or self.refunded_minor)


def walk(
    terms: BookingTerms,
    posted: Mapping[date, DayRow],
    through: date,
    computed: AbstractSet[date] = frozenset(),
) -> list[DayRow]:
    """Every day of the booking from its first day to `through`: the posted ones as posted, the
    others computed from the days before them. A day in `computed` without a posted row was
    posted as nothing for this booking: it stays nothing."""
    rows: list[DayRow] = []
    closing = invoiced = recognised = refunded = 0
    day = terms.first_day
    while day <= through:
        row = posted.get(day)
        if row is None and day in computed:
            row = DayRow(
                terms.booking_id, day, terms.currency, closing, 0, 0, 0, day >= terms.last_day
            )
        elif row is None:
            row = _compute_day(terms, day, closing, invoiced, recognised, refunded)
        rows.append(row)
        closing = row.closing_minor
        invoiced += row.invoiced_minor
        recognised += row.recognised_minor
        refunded += row.refunded_minor
        day += timedelta(days=1)
    return rows


def day_row(
    terms: BookingTerms,
    posted: Mapping[date, DayRow],
    day: date,
    computed: AbstractSet[date] = frozenset(),
) -> DayRow | None:
    """The booking's row for `day` computed afresh (any posted row for `day` itself is ignored),
    or None when the booking has nothing to say that day. `computed` are the days already
    posted for every booking (see `walk`)."""
    if day < terms.first_day:
        return None
    earlier = {d: r for d, r in posted.items() if d < day}
    row = walk(terms, earlier, day, {d for d in computed if d < day})[-1]
    quiet = not row.moved and row.opening_minor == 0
    if quiet and (day > terms.last_day or terms.canceled):
        return None
    return row


def _compute_day(
    terms: BookingTerms, day: date, opening: int, invoiced: int, recognised: int, refunded: int
) -> DayRow:
    index = (day - terms.first_day).days
    refunds_due = sum(r.amount_minor for r in terms.refunds if _refund_day(terms, r) <= day)
    remaining = terms.contract_minor - terms.refunded_minor - recognised
    ended = day >= terms.last_day
    closing_out = ended or remaining <= 0
    amount = remaining if closing_out else _share_of_today(terms, index, remaining)
    return DayRow(
        booking_id=terms.booking_id,
        day=day,
        currency=terms.currency,
        opening_minor=opening,
        invoiced_minor=terms.contract_minor - invoiced,
        recognised_minor=amount,
        refunded_minor=refunds_due - refunded,
        ended=ended,
    )


def _share_of_today(terms: BookingTerms, index: int, remaining: int) -> int:
    """Today's part of `remaining`, spread over the days left as the pieces would spread it."""
    total = terms.ideal_through(terms.length - 1)
    left_from_today = total - terms.ideal_through(index - 1)
    left_after_today = total - terms.ideal_through(index)
    if left_from_today <= 0:
        return remaining
    return remaining - remaining * left_after_today // left_from_today


def _refund_day(terms: BookingTerms, refund: Refund) -> date:
    return max(terms.first_day, min(refund.day, terms.last_day))


def schedule(
    terms: BookingTerms,
    *,
    posted: Sequence[DayRow] = (),
    computed: AbstractSet[date] = frozenset(),
) -> dict[date, int]:
    """Recognition per day from the first day until nothing is left, for tests and reports."""
    frozen = {row.day: row for row in posted}
    through = max([terms.last_day, *frozen, *computed]) + timedelta(days=1)
    return {row.day: row.recognised_minor for row in walk(terms, frozen, through, computed)}
