"""The result of a canonical write, and the helpers every write function shares."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.orm import DeclarativeBase


class Change(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def apply_fields(record: DeclarativeBase, fields: dict[str, Any]) -> bool:
    """Set each field that differs; True when anything changed."""
    changed = False
    for name, value in fields.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed
