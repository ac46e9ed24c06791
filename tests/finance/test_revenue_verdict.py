"""The demo's revenue verdict is strict: any one figure off makes it fail."""

from __future__ import annotations

from typing import Any

import pytest

from ez_pipelines.demo.revenue import revenue_ok

GOOD: dict[str, Any] = {
    "days_in_month": 30,
    "days_posted": 30,
    "failed_partitions": 0,
    "journals": 31,
    "journals_at_netsuite": 31,
    "journals_at_netsuite_not_posted": 0,
    "recognised_fils": 1_234_567,
    "expected_fils": 1_234_567,
    "unbalanced_journals": 0,
    "invoices": 90,
    "invoices_at_netsuite": 90,
    "credit_notes": 4,
    "credit_notes_at_netsuite": 4,
    "parallel_run_differences": [{}, {}, {}, {}],
    "parallel_run_planted": [{}, {}, {}],
    "parallel_run_planted_found": 3,
    "parallel_run_unexplained": 0,
}


def test_a_month_where_every_figure_agrees_is_ok() -> None:
    assert revenue_ok(GOOD)


@pytest.mark.parametrize(
    "change",
    [
        {"days_posted": 29},  # a day never posted
        {"failed_partitions": 1},
        {"recognised_fils": 1_234_566},  # one fils short of what the bookings say
        {"unbalanced_journals": 1},
        {"journals_at_netsuite": 30},  # a journal NetSuite never got
        {"journals_at_netsuite_not_posted": 1},  # a withdrawn journal still at NetSuite
        {"journals": 0, "journals_at_netsuite": 0},  # nothing posted at all
        {"parallel_run_planted_found": 2},  # a planted difference missed
        {"parallel_run_unexplained": 1},  # a difference nobody planted
    ],
)
def test_any_figure_off_fails_the_verdict(change: dict[str, Any]) -> None:
    assert not revenue_ok({**GOOD, **change})
