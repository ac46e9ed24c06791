"""The CRM search request of a HubSpot stand-in: filter groups over the lagging index.

Filter groups are ORed and the filters inside a group ANDed; string comparisons ignore case, as
HubSpot's do for email. A request outside what the API accepts is refused with its reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_FILTER_GROUPS = 6
MAX_LIMIT = 200
DEFAULT_LIMIT = 10
DEFAULT_PROPERTIES = frozenset(
    {"email", "firstname", "lastname", "hs_object_id", "createdate", "lastmodifieddate"}
)


class BadSearch(ValueError):
    pass


@dataclass(frozen=True)
class Filter:
    property: str
    operator: str
    value: str | None
    values: tuple[str, ...]
    high_value: str | None

    def matches(self, properties: Mapping[str, str]) -> bool:
        actual = properties.get(self.property)
        if self.operator == "HAS_PROPERTY":
            return bool(actual)
        if self.operator == "NOT_HAS_PROPERTY":
            return not actual
        test = _TESTS[self.operator]
        return test(self, actual.casefold() if actual else None)


def _compare(actual: str | None, expected: str | None) -> int | None:
    """-1, 0 or 1; numbers compare as numbers, anything else as case-folded text."""
    if actual is None or expected is None:
        return None
    try:
        left: float | str = float(actual)
        right: float | str = float(expected)
    except ValueError:
        left, right = actual.casefold(), expected.casefold()
    return (left > right) - (left < right)  # type: ignore[operator]


def _has_token(actual: str | None, token: str | None) -> bool:
    return actual is not None and (token or "").casefold().strip("*") in actual


def _ordered(accept: Callable[[int], bool]) -> Callable[[Filter, str | None], bool]:
    def test(f: Filter, actual: str | None) -> bool:
        order = _compare(actual, f.value)
        return order is not None and accept(order)

    return test


def _between(f: Filter, actual: str | None) -> bool:
    low, high = _compare(actual, f.value), _compare(actual, f.high_value)
    return low is not None and high is not None and low >= 0 and high <= 0


def _folded(text: str | None) -> str | None:
    return text.casefold() if text is not None else None


_TESTS: dict[str, Callable[[Filter, str | None], bool]] = {
    "EQ": lambda f, actual: actual == _folded(f.value),
    "NEQ": lambda f, actual: actual != _folded(f.value),
    "IN": lambda f, actual: actual in {v.casefold() for v in f.values},
    "NOT_IN": lambda f, actual: actual not in {v.casefold() for v in f.values},
    "CONTAINS_TOKEN": lambda f, actual: _has_token(actual, f.value),
    "NOT_CONTAINS_TOKEN": lambda f, actual: not _has_token(actual, f.value),
    "LT": _ordered(lambda order: order < 0),
    "LTE": _ordered(lambda order: order <= 0),
    "GT": _ordered(lambda order: order > 0),
    "GTE": _ordered(lambda order: order >= 0),
    "BETWEEN": _between,
}
OPERATORS = frozenset(_TESTS) | {"HAS_PROPERTY", "NOT_HAS_PROPERTY"}


@dataclass(frozen=True)
class SearchRequest:
    groups: tuple[tuple[Filter, ...], ...]
    properties: frozenset[str]
    limit: int
    offset: int

    def matches(self, properties: Mapping[str, str]) -> bool:
        if not self.groups:
            return True
        return any(all(f.matches(properties) for f in group) for group in self.groups)


def _filter(raw: object) -> Filter:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("propertyName"), str):
        raise BadSearch("each filter needs a propertyName")
    operator = raw.get("operator")
    if operator not in OPERATORS:
        raise BadSearch(f"unknown filter operator {operator!r}")
    values = raw.get("values") or ()
    if not isinstance(values, Sequence) or isinstance(values, str):
        raise BadSearch("filter values must be a list")
    value, high = raw.get("value"), raw.get("highValue")
    return Filter(
        property=raw["propertyName"],
        operator=str(operator),
        value=None if value is None else str(value),
        values=tuple(str(v) for v in values),
        high_value=None if high is None else str(high),
    )


def parse_search(body: Mapping[str, Any]) -> SearchRequest:
    if body.get("query"):
        raise BadSearch("the sandbox search supports filterGroups, not free-text query")
    groups = body.get("filterGroups") or []
    if not isinstance(groups, list) or len(groups) > MAX_FILTER_GROUPS:
        raise BadSearch(f"filterGroups must be a list of at most {MAX_FILTER_GROUPS} groups")
    parsed = []
    for group in groups:
        filters = group.get("filters") if isinstance(group, Mapping) else None
        if not isinstance(filters, list) or not filters:
            raise BadSearch("each filter group needs a non-empty filters list")
        parsed.append(tuple(_filter(f) for f in filters))
    properties = body.get("properties") or []
    if not isinstance(properties, list):
        raise BadSearch("properties must be a list of property names")
    limit, after = body.get("limit", DEFAULT_LIMIT), body.get("after") or "0"
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise BadSearch(f"limit must be between 1 and {MAX_LIMIT}")
    if not str(after).isdigit():
        raise BadSearch("after must be a paging cursor this search returned")
    return SearchRequest(
        groups=tuple(parsed),
        properties=DEFAULT_PROPERTIES | {str(p) for p in properties},
        limit=limit,
        offset=int(after),
    )
