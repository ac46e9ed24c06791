"""Properties of revenue recognition over random bookings, changed while they run.

Each example posts a booking's days one by one, as the nightly schedule does; extensions, an
early return and refunds arrive between two nights. Whatever happens, the days sum to the
contract minus refunds, a posted day never changes, no day goes negative and every journal
balances.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from ez_pipelines.finance.journals import build_journals
from ez_pipelines.finance.recognition import BookingTerms, DayRow, Refund, day_row, schedule
from ez_pipelines.finance.rental_days import Piece

FIRST = date(2026, 11, 1)


@st.composite
def histories(draw: st.DrawFn) -> tuple[BookingTerms, list[tuple[int, str, int, int]]]:
    booked = draw(st.integers(1, 15))
    terms = BookingTerms(
        "B-1", "AED", FIRST, (Piece(draw(st.integers(0, 5_000_000)), 0, booked),), booked
    )
    events = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["extension", "return", "refund"]))
        events.append(
            (draw(st.integers(1, 25)), kind, draw(st.integers(1, 6)), draw(st.integers(1, 10**6)))
        )
    return terms, sorted(events)


def apply(
    terms: BookingTerms, event: tuple[int, str, int, int], day: date, left: int
) -> BookingTerms:
    """The booking after one change; a change that cannot happen any more is ignored."""
    index, kind, days, amount = event
    booked = terms.pieces[-1].first + terms.pieces[-1].days
    returned_early = terms.length < booked
    if kind == "extension" and not returned_early:
        extension = Piece(amount, booked, days)
        return replace(terms, pieces=(*terms.pieces, extension), length=booked + days)
    if kind == "return" and index < terms.length:
        return replace(terms, length=max(index, 1))
    if kind == "refund" and left > 0:
        # Refunds give back unused days: never more than the booking still holds deferred.
        return replace(terms, refunds=(*terms.refunds, Refund(min(amount, left), day)))
    return terms


@settings(max_examples=150, deadline=None)
@given(histories())
def test_days_sum_to_contract_minus_refunds_and_posted_days_never_change(
    history: tuple[BookingTerms, list[tuple[int, str, int, int]]],
) -> None:
    terms, events = history
    posted: dict[date, DayRow] = {}
    computed: set[date] = set()
    day = FIRST
    while day <= FIRST + timedelta(days=45):
        index = (day - FIRST).days
        for event in (e for e in events if e[0] == index):
            recognised = sum(r.recognised_minor for r in posted.values())
            left = terms.contract_minor - terms.refunded_minor - recognised
            terms = apply(terms, event, day, left)
            # A change never restates a posted day.
            restated = schedule(terms, posted=list(posted.values()), computed=computed)
            assert all(restated[d] == row.recognised_minor for d, row in posted.items())
        row = day_row(terms, posted, day, computed)
        computed.add(day)
        if row is not None:
            assert row.recognised_minor >= 0
            assert row.closing_minor >= 0
            for journal in build_journals(day, [row]):
                assert journal.balanced
            posted[day] = row
        day += timedelta(days=1)

    total = sum(r.recognised_minor for r in posted.values())
    assert total == terms.contract_minor - terms.refunded_minor
    last = max(posted)
    assert posted[last].closing_minor == 0
