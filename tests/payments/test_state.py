"""The payment state machine: forward only, order-independent, duplicates change nothing."""

from __future__ import annotations

from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ez_pipelines.payments.state import (
    AUTHORIZED,
    CAPTURED,
    DECLINED,
    PARTIALLY_REFUNDED,
    PENDING,
    REFUNDED,
    REQUESTED,
    VOIDED,
    PaymentFacts,
    facts_from_event,
)
from tests.payments.events import balances, event

PAY = {"payment_id": "pay_1", "reference": "P-1"}


def fold(events: list[PaymentFacts]) -> PaymentFacts:
    return reduce(PaymentFacts.join, events, PaymentFacts())


# The life of one payment of 1,000.00 AED: approved, captured in two parts, refunded in part.
LIFE = [
    event("evt_1", "payment_pending", amount=100000, at_s=0, **PAY),
    event("evt_2", "payment_approved", amount=100000, at_s=1, action_id="act_a",
          balances=balances(authorized=100000), **PAY),
    event("evt_3", "payment_captured", amount=60000, at_s=2, action_id="act_c1", **PAY),
    event("evt_4", "payment_captured", amount=40000, at_s=3, action_id="act_c2", **PAY),
    event("evt_5", "payment_refunded", amount=25000, at_s=4, action_id="act_r1",
          balances=balances(authorized=100000, captured=100000, refunded=25000), **PAY),
]  # fmt: skip


def test_statuses_move_forward_through_the_life_of_a_payment() -> None:
    statuses = [fold([facts_from_event(e) for e in LIFE[: n + 1]]).status for n in range(5)]

    assert PaymentFacts().status == REQUESTED
    assert statuses == [PENDING, AUTHORIZED, CAPTURED, CAPTURED, PARTIALLY_REFUNDED]


def test_partial_captures_without_balances_add_up_by_their_action_ids() -> None:
    final = fold([facts_from_event(e) for e in LIFE])

    assert final.total_captured == 100000
    assert final.total_refunded == 25000


@settings(max_examples=300, deadline=None)
@given(st.permutations(LIFE), st.lists(st.sampled_from(LIFE), max_size=10))
def test_every_order_and_duplication_of_the_events_ends_in_one_state(
    order: list[object], repeats: list[object]
) -> None:
    expected = fold([facts_from_event(e) for e in LIFE])

    shuffled = fold([facts_from_event(e) for e in [*order, *repeats]])  # type: ignore[arg-type]

    assert shuffled == expected
    assert shuffled.status == PARTIALLY_REFUNDED


@pytest.mark.parametrize(
    ("types", "status"),
    [
        (["payment_declined"], DECLINED),
        (["payment_approved", "payment_voided"], VOIDED),
        # A refusal never undoes money already captured: it ends only the rest.
        (["payment_captured", "payment_voided"], CAPTURED),
        (["payment_captured", "payment_refunded"], REFUNDED),
        (["payment_captured", "payment_canceled"], CAPTURED),
    ],
)
def test_terminal_outcomes_end_only_what_was_not_captured(types: list[str], status: str) -> None:
    events = [
        event(f"evt_{n}", kind, amount=500, at_s=n, action_id=f"act_{n}", **PAY)
        for n, kind in enumerate(types)
    ]
    assert fold([facts_from_event(e) for e in events]).status == status
