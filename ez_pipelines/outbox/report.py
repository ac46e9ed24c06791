"""What a dispatcher did, counted by outcome."""

from __future__ import annotations

from dataclasses import dataclass, field

COUNTS = ("claimed", "created", "updated", "unchanged", "linked", "retried", "dead_lettered")


@dataclass
class SyncReport:
    """Outcomes of a dispatch; `retried` counts failed attempts that were scheduled again and
    `fenced_out` counts rows whose lease ended before this worker could settle them."""

    claimed: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    linked: int = 0
    retried: int = 0
    dead_lettered: int = 0
    fenced_out: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def add(self, other: SyncReport) -> None:
        for name in (*COUNTS, "fenced_out"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.errors.items():
            self.errors[key] = self.errors.get(key, 0) + count

    def as_metadata(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in (*COUNTS[1:], "fenced_out")}
