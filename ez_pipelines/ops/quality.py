"""Data checks as great-expectations suites over pandas frames, in an ephemeral context.

A check must fail on the data, never on a dtype: nullable integer columns (`Int64`, with
`<NA>`) count as integers, timestamps must carry a time zone, and a frame whose timestamps do
not gets a failed verdict that says so instead of an exception. Amounts stay integers from the
frame to the verdict.

great_expectations takes seconds to import, so it is imported where a suite runs, never when
the definitions load.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

# The pandas and numpy names of integer dtypes, nullable ones included.
INTEGER_TYPES = [
    "Int8Dtype", "Int16Dtype", "Int32Dtype", "Int64Dtype",
    "int8", "int16", "int32", "int64",
]  # fmt: skip
_LAG_COLUMN = "__lag_s"


@dataclass(frozen=True)
class Rule:
    """One expectation: `kind` is integer_type, not_null, at_most, lag_at_most or no_rows."""

    name: str
    kind: str
    column: str | None = None
    bound: float | None = None
    strict: bool = False
    """For at_most: the value must stay below the bound, not reach it."""


def integer_type(column: str, name: str | None = None) -> Rule:
    return Rule(name or f"{column} is an integer type", "integer_type", column)


def not_null(column: str, name: str | None = None) -> Rule:
    return Rule(name or f"no null {column}", "not_null", column)


def at_most(column: str, bound: float, name: str | None = None) -> Rule:
    return Rule(name or f"{column} at most {bound:g}", "at_most", column, bound)


def below(column: str, bound: float, name: str | None = None) -> Rule:
    return Rule(name or f"{column} below {bound:g}", "at_most", column, bound, strict=True)


def lag_at_most(column: str, bound_s: float, name: str | None = None) -> Rule:
    """The age of the oldest instant in `column` (tz-aware) is at most `bound_s` seconds."""
    return Rule(name or f"{column} lag at most {bound_s:g} s", "lag_at_most", column, bound_s)


def no_rows(name: str) -> Rule:
    return Rule(name, "no_rows")


@dataclass(frozen=True)
class Verdict:
    rule: str
    passed: bool
    observed: int | float | str | None
    unexpected: int | None
    reason: str


def evaluate(frame: pd.DataFrame, rules: Sequence[Rule], *, now: datetime) -> list[Verdict]:
    """Validate `frame` against `rules`; one verdict per rule, in order."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # That module sets its own logger to INFO on import, which announces a temporary folder on
    # every check run; what matters of great-expectations is a warning or worse.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    work = frame.copy(deep=False)
    verdicts: dict[int, Verdict] = {}
    expectations: list[tuple[int, Any]] = []
    for index, rule in enumerate(rules):
        refused = _refusal(work, rule, now)
        if refused:
            verdicts[index] = Verdict(rule.name, False, None, None, refused)
            continue
        if rule.kind == "lag_at_most":
            lag_column = f"{_LAG_COLUMN}_{index}"
            work[lag_column] = (now - work[rule.column]).dt.total_seconds()
            expectations.append((index, _expectation(gx, rule, lag_column)))
        else:
            expectations.append((index, _expectation(gx, rule, rule.column)))

    if expectations:
        batch = (
            context.data_sources.add_pandas("frames")
            .add_dataframe_asset("frame")
            .add_batch_definition_whole_dataframe("whole")
            .get_batch(batch_parameters={"dataframe": work})
        )
        suite = gx.ExpectationSuite(name="checks", expectations=[e for _, e in expectations])
        results = batch.validate(suite).results
        for (index, _), result in zip(expectations, results, strict=True):
            verdicts[index] = _verdict(rules[index], result)
    return [verdicts[i] for i in range(len(rules))]


def _refusal(frame: pd.DataFrame, rule: Rule, now: datetime) -> str | None:
    """Why `rule` cannot be judged on this frame, or None when it can."""
    if rule.column is None:
        return None
    if rule.column not in frame.columns:
        return f"column {rule.column} is missing"
    if rule.kind != "lag_at_most":
        return None
    if now.tzinfo is None:
        return f"the instant {rule.column}'s lag is measured to has no time zone"
    dtype = frame[rule.column].dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return None
    if pd.api.types.is_datetime64_dtype(dtype):
        return f"{rule.column} holds timestamps without a time zone; their instant is unknown"
    return f"{rule.column} holds {dtype}, not timezone-aware timestamps"


def _expectation(gx: Any, rule: Rule, column: str | None) -> Any:
    expectations = gx.expectations
    if rule.kind == "integer_type":
        return expectations.ExpectColumnValuesToBeInTypeList(column=column, type_list=INTEGER_TYPES)
    if rule.kind == "not_null":
        return expectations.ExpectColumnValuesToNotBeNull(column=column)
    if rule.kind in ("at_most", "lag_at_most"):
        return expectations.ExpectColumnMaxToBeBetween(
            column=column, max_value=rule.bound, strict_max=rule.strict
        )
    if rule.kind == "no_rows":
        return expectations.ExpectTableRowCountToEqual(value=0)
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def _verdict(rule: Rule, result: Any) -> Verdict:
    if result.exception_info and result.exception_info.get("raised_exception"):
        message = str(result.exception_info.get("exception_message") or "").splitlines()[:1]
        return Verdict(rule.name, False, None, None, "could not be evaluated: " + "".join(message))
    details = result.result or {}
    observed = _plain(details.get("observed_value"))
    unexpected = details.get("unexpected_count")
    unexpected = None if unexpected is None else int(unexpected)
    if unexpected is not None:
        reason = f"{unexpected} unexpected of {int(details.get('element_count', 0))}"
    elif rule.bound is not None:
        reason = f"observed {_shown(observed)}, bound {rule.bound:g}"
    else:
        reason = f"observed {_shown(observed)}"
    return Verdict(rule.name, bool(result.success), observed, unexpected, reason)


def _plain(value: Any) -> int | float | str | None:
    """numpy scalars as Python ones; whole numbers stay int, so amounts never become floats."""
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float):
        return value
    return str(value)


def _shown(value: int | float | str | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
