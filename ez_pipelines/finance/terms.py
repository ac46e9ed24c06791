"""Reading bookings and their credit notes into the terms revenue recognition works on."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ez_pipelines.canonical.models import Booking
from ez_pipelines.finance.recognition import BookingTerms, DayRow, Refund
from ez_pipelines.finance.rental_days import (
    dubai_date,
    dubai_midnight,
    price_pieces,
    rental_length,
)
from ez_pipelines.finance.tables import CreditNote, RevenueDay

# Credit notes that give rental value back; a cancellation removes the contract itself, and
# with it whatever was given back before: a canceled booking's revenue is reversed once.
REFUND_KINDS = ("refund", "adjustment")


def booking_terms(booking: Booking, refunds: Iterable[CreditNote]) -> BookingTerms:
    canceled = booking.status == "canceled"
    pieces = price_pieces(
        booking.pickup_at,
        booking.return_due_at,
        booking.rental_amount_minor,
        [(e.extended_to, e.amount_minor) for e in booking.extensions],
    )
    booked = pieces[-1].first + pieces[-1].days
    return BookingTerms(
        booking_id=booking.id,
        currency=booking.currency,
        first_day=dubai_date(booking.pickup_at),
        pieces=tuple(pieces),
        length=rental_length(booking.pickup_at, booked, booking.returned_at),
        refunds=tuple(
            Refund(note.amount_minor, dubai_date(note.issued_at))
            for note in sorted(refunds, key=lambda n: (n.issued_at, n.id))
            if note.kind in REFUND_KINDS and not canceled
        ),
        canceled=canceled,
    )


def terms_started_by(session: Session, day: date) -> list[BookingTerms]:
    """The terms of every booking picked up on or before `day` (Dubai)."""
    # TODO(a closed flag on bookings whose deferred balance reached zero): every day reads the
    # whole history of bookings; fine for months, slow for years.
    end = dubai_midnight(day + timedelta(days=1))
    bookings = list(
        session.scalars(select(Booking).where(Booking.pickup_at < end).order_by(Booking.id))
    )
    notes: dict[str, list[CreditNote]] = defaultdict(list)
    for note in session.scalars(
        select(CreditNote).where(CreditNote.booking_id.in_([b.id for b in bookings]))
    ):
        notes[note.booking_id].append(note)
    return [booking_terms(b, notes.get(b.id, [])) for b in bookings]


def posted_rows(
    session: Session, booking_ids: Sequence[str], *, before: date
) -> dict[str, dict[date, DayRow]]:
    """The rows already posted for these bookings on days before `before`."""
    posted: dict[str, dict[date, DayRow]] = defaultdict(dict)
    for start in range(0, len(booking_ids), 500):
        chunk = booking_ids[start : start + 500]
        query = select(RevenueDay).where(RevenueDay.booking_id.in_(chunk), RevenueDay.day < before)
        for stored in session.scalars(query):
            posted[stored.booking_id][stored.day] = row_of(stored)
    return posted


def row_of(stored: RevenueDay) -> DayRow:
    return DayRow(
        booking_id=stored.booking_id,
        day=stored.day,
        currency=stored.currency,
        opening_minor=stored.opening_minor,
        invoiced_minor=stored.invoiced_minor,
        recognised_minor=stored.recognised_minor,
        refunded_minor=stored.refunded_minor,
        ended=stored.ended,
    )
