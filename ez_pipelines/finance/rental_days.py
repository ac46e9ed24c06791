"""How a booking's instants become rental days, each on an Asia/Dubai calendar day.

A rental day is a started 24-hour period from pickup: 72 hours is three days, 72 hours and five
minutes is four. The n-th rental day is recognised on the n-th Dubai calendar day from the
pickup's Dubai date, so a rental that starts at 23:00 spans two Dubai days for two rental days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DUBAI = ZoneInfo("Asia/Dubai")
DAY = timedelta(days=1)


def dubai_date(instant: datetime) -> date:
    return instant.astimezone(DUBAI).date()


def dubai_midnight(day: date) -> datetime:
    """The instant a Dubai day starts, timezone-aware."""
    return datetime.combine(day, time(0), tzinfo=DUBAI)


def started_days(start: datetime, end: datetime) -> int:
    """Started 24-hour periods from `start` to `end`; at least one once `end` is later."""
    if end <= start:
        return 0
    whole, rest = divmod(end - start, DAY)
    return whole + (1 if rest else 0)


@dataclass(frozen=True)
class Piece:
    """One part of a booking's price, recognised evenly over its own rental days.

    `first` is the index of its first rental day (0 is the pickup's day), `days` how many.
    """

    amount_minor: int
    first: int
    days: int

    def cumulative(self, index: int) -> int:
        """What the piece has recognised by the end of rental day `index`: cumulative rounding,
        so the days sum to the amount exactly and any two differ by at most one minor unit."""
        if index < self.first:
            return 0
        elapsed = min(index - self.first + 1, self.days)
        return self.amount_minor * elapsed // self.days

    def daily(self, index: int) -> int:
        return self.cumulative(index) - self.cumulative(index - 1)


def price_pieces(
    pickup_at: datetime,
    return_due_at: datetime,
    rental_minor: int,
    extensions: list[tuple[datetime, int]],
) -> list[Piece]:
    """The booked price over the booked days, then each extension over the days it adds.

    An extension that adds no whole day (a few hours more) falls on the last day before it.
    """
    booked = max(started_days(pickup_at, return_due_at), 1)
    pieces = [Piece(rental_minor, 0, booked)]
    end = booked
    for extended_to, amount in sorted(extensions):
        new_end = max(started_days(pickup_at, extended_to), end)
        if new_end == end:
            pieces.append(Piece(amount, end - 1, 1))
        else:
            pieces.append(Piece(amount, end, new_end - end))
        end = new_end
    return pieces


def rental_length(pickup_at: datetime, booked_days: int, returned_at: datetime | None) -> int:
    """Rental days the revenue is spread over: the booked ones (extensions included), or fewer
    when the car came back early. A late return adds no rental days: late fees bill them."""
    if returned_at is None:
        return booked_days
    return max(1, min(booked_days, started_days(pickup_at, returned_at)))
