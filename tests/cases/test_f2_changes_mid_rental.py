"""An extension and an early return with a refund, after some days were posted.

The policy pinned here (the README states it): each piece of the price is spread over its own
rental days, so the extension's 300.00 falls on the two days it adds at 150.00, and the booked
500.00 keeps its rate of 100.00 a day over its full five days. Posted days never change.
"""

from __future__ import annotations

from datetime import date, timedelta

from ez_pipelines.canonical.bookings import extend_booking, record_return
from ez_pipelines.canonical.db import Database
from ez_pipelines.canonical.payments import PaymentInput, request_payment, request_refund
from ez_pipelines.finance.documents import InvoicingPolicy, issue_adjustment, refresh_documents
from ez_pipelines.finance.recognition import BookingTerms, Refund, schedule, walk
from ez_pipelines.finance.rental_days import Piece
from ez_pipelines.payments.processing import process_events
from tests.finance.helpers import NOW, add_booking, dubai, post_days, recognised
from tests.payments.events import balances, event_body
from tests.payments.helpers import deliver


def march(day: int) -> date:
    return date(2024, 3, day)


def test_an_extension_agreed_on_the_third_spreads_over_the_days_it_adds(
    sqlite_db: Database,
) -> None:
    add_booking(sqlite_db, "B-A", pickup_at=dubai(march(1)), days=5, amount_minor=50_000)
    before = post_days(sqlite_db, march(1), march(2))
    with sqlite_db.write() as session:
        extend_booking(
            session, "B-A", extended_to=dubai(march(8)), amount_minor=30_000, now=dubai(march(3))
        )

    after = post_days(sqlite_db, march(3), march(9))

    daily = recognised(before + after, "B-A")
    assert recognised(before, "B-A") == {march(1): 10_000, march(2): 10_000}
    assert [daily[march(d)] for d in range(1, 8)] == [10_000] * 5 + [15_000] * 2
    assert sum(daily.values()) == 80_000


def test_the_extension_policy_keeps_the_booked_rate_over_its_full_window() -> None:
    booked = BookingTerms("B-A", "AED", march(1), (Piece(50_000, 0, 5),), 5)
    posted = walk(booked, {}, march(2))
    extended = BookingTerms("B-A", "AED", march(1), (Piece(50_000, 0, 5), Piece(30_000, 5, 2)), 7)

    daily = schedule(extended, posted=posted)

    # 500 / 5 a day for the booked days, never 500 / 3 over the days left after the change.
    assert [daily[march(d)] for d in range(3, 6)] == [10_000, 10_000, 10_000]
    assert [daily[march(6)], daily[march(7)]] == [15_000, 15_000]


def test_an_early_return_with_a_refund_leaves_the_posted_days_and_zeroes_the_rest(
    sqlite_db: Database,
) -> None:
    add_booking(sqlite_db, "B-B", pickup_at=dubai(march(1)), days=7, amount_minor=70_000)
    policy = InvoicingPolicy(vat_rate_bp=500)
    refresh_documents(sqlite_db, policy, now=NOW)
    before = post_days(sqlite_db, march(1), march(4))
    with sqlite_db.write() as session:
        record_return(session, "B-B", returned_at=dubai(march(5)), now=dubai(march(5)))
        issue_adjustment(
            session,
            note_id="CN-B-B-1",
            booking_id="B-B",
            amount_minor=30_000,
            description="Unused days refunded",
            policy=policy,
            now=dubai(march(5), 12),
        )

    after = post_days(sqlite_db, march(5), march(7))

    assert recognised(before, "B-B") == {march(d): 10_000 for d in range(1, 5)}
    assert sum(recognised(after, "B-B").values()) == 0
    assert sum(recognised(before + after, "B-B").values()) == 40_000
    last = next(row for r in after for row in r.rows if row.day == march(5))
    assert (last.refunded_minor, last.closing_minor, last.ended) == (30_000, 0, True)


def test_posting_the_same_history_again_restates_nothing(sqlite_db: Database) -> None:
    add_booking(sqlite_db, "B-A", pickup_at=dubai(march(1)), days=5, amount_minor=50_000)
    first = post_days(sqlite_db, march(1), march(2))
    with sqlite_db.write() as session:
        extend_booking(
            session, "B-A", extended_to=dubai(march(8)), amount_minor=30_000, now=dubai(march(3))
        )

    again = post_days(sqlite_db, march(1), march(2))

    assert recognised(again, "B-A") == recognised(first, "B-A")
    assert all(not r.updated and not r.created for r in again)


def test_a_refund_known_from_the_start_spreads_evenly() -> None:
    terms = BookingTerms(
        "B-C", "AED", march(1), (Piece(70_000, 0, 7),), 4, refunds=(Refund(30_000, march(5)),)
    )

    daily = schedule(terms)

    assert [daily[march(d)] for d in range(1, 5)] == [10_000] * 4
    assert sum(daily.values()) == 40_000
    assert daily[march(1) + timedelta(days=4)] == 0


def test_an_early_return_refunded_through_checkout_leaves_the_posted_days(
    sqlite_db: Database,
) -> None:
    # (b) again, the refund asked of Checkout.com and confirmed by its `payment_refunded` event.
    add_booking(sqlite_db, "B-B", pickup_at=dubai(march(1)), days=7, amount_minor=70_000)
    with sqlite_db.write() as session:
        request_payment(session, PaymentInput("P-B", "B-B", 73_500, "AED", "src_ok"), now=NOW)
    deliver(sqlite_db, checkout_event("evt_cap", "payment_captured", 73_500, 0), now=NOW)
    process_events(sqlite_db, now=NOW)
    policy = InvoicingPolicy(vat_rate_bp=500)
    refresh_documents(sqlite_db, policy, now=NOW)
    before = post_days(sqlite_db, march(1), march(4))
    with sqlite_db.write() as session:
        record_return(session, "B-B", returned_at=dubai(march(5)), now=dubai(march(5)))
        request_refund(
            session,
            refund_id="R-B",
            payment_id="P-B",
            amount_minor=31_500,
            reason="returned early",
            now=dubai(march(5), 12),
        )
    asked = refresh_documents(sqlite_db, policy, now=NOW)
    deliver(sqlite_db, checkout_event("evt_ref", "payment_refunded", 31_500, 60), now=NOW)
    process_events(sqlite_db, now=NOW)
    confirmed = refresh_documents(sqlite_db, policy, now=NOW)

    after = post_days(sqlite_db, march(5), march(7))

    assert (asked.credit_notes_created, confirmed.credit_notes_created) == (0, 1)
    assert recognised(before, "B-B") == {march(d): 10_000 for d in range(1, 5)}
    assert sum(recognised(after, "B-B").values()) == 0
    fifth = next(row for r in after for row in r.rows if row.day == march(5))
    assert (fifth.refunded_minor, fifth.closing_minor, fifth.ended) == (30_000, 0, True)


def checkout_event(event_id: str, kind: str, amount: int, at_s: float) -> bytes:
    refunded = amount if kind == "payment_refunded" else 0
    return event_body(
        event_id, kind, payment_id="pay_B", reference="P-B", amount=amount, at_s=at_s,
        action_id=f"act_{event_id}",
        balances=balances(authorized=73_500, captured=73_500, refunded=refunded),
    )  # fmt: skip
