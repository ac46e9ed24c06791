"""Reading one field of an import row, with a reason a person can act on when it is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo

from ez_pipelines.canonical.customers import InvalidRecord

_DATE_ONLY = re.compile(r"\d{4}-?\d{2}-?\d{2}")


def text(row: Mapping[str, str], column: str, *, max_length: int) -> str:
    """A field that must be present."""
    value = optional_text(row, column, max_length=max_length)
    if value is None:
        raise InvalidRecord(f"{column} is empty")
    return value


def optional_text(row: Mapping[str, str], column: str, *, max_length: int) -> str | None:
    value = row[column]
    if len(value) > max_length:
        raise InvalidRecord(f"{column} is longer than {max_length} characters")
    return value or None


def instant(row: Mapping[str, str], column: str, zone: tzinfo) -> datetime:
    value = optional_instant(row, column, zone)
    if value is None:
        raise InvalidRecord(f"{column} is empty")
    return value


def optional_instant(row: Mapping[str, str], column: str, zone: tzinfo) -> datetime | None:
    """An ISO 8601 date and time, in UTC.

    With an offset or `Z` it means what it says; without one it is local time in `zone`, the
    way a person at the rental desk writes it. A date without a time is refused: a rental's
    pickup at midnight and at noon are different rentals.
    """
    raw = row[column]
    if not raw:
        return None
    if _DATE_ONLY.fullmatch(raw):
        raise InvalidRecord(f"{column} {raw!r} has a date but no time of day")
    try:
        value = datetime.fromisoformat(raw)
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    except ValueError:
        raise InvalidRecord(f"{column} {raw!r} is not an ISO 8601 date and time") from None
    except OverflowError:
        raise InvalidRecord(f"{column} {raw!r} is outside the years we can store") from None


def optional_year(row: Mapping[str, str], column: str) -> int | None:
    raw = row[column]
    if not raw:
        return None
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise InvalidRecord(f"{column} {raw!r} is not a model year")
    return int(raw)


def country_code(row: Mapping[str, str], column: str) -> str | None:
    raw = row[column]
    if not raw:
        return None
    if len(raw) != 2 or not raw.isascii() or not raw.isalpha():
        raise InvalidRecord(f"{column} {raw!r} is not a two-letter ISO 3166 code")
    return raw.upper()
