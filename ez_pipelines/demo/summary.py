"""The demo's verdict: one row per integration, printed as a table and written as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from ez_pipelines.demo.vendor_view import VendorView
from ez_pipelines.ops.metrics import OutboundStats


@dataclass(frozen=True)
class IntegrationSummary:
    view: VendorView
    stats: OutboundStats

    @property
    def ok(self) -> bool:
        return (
            self.view.vendor_records == self.view.canonical
            and self.view.duplicates == 0
            and self.view.unmapped == 0
            and self.view.mismatched == 0
            and self.stats.dead_letters == 0
            and self.stats.pending == 0
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "canonical": self.view.canonical,
            "vendor_records": self.view.vendor_records,
            "duplicates": self.view.duplicates,
            "unmapped": self.view.unmapped,
            "mismatched": self.view.mismatched,
            "mismatched_examples": list(self.view.examples),
            "created": self.stats.created,
            "updated": self.stats.updated,
            "unchanged": self.stats.unchanged,
            "linked": self.stats.linked,
            "retries": self.stats.retries,
            "dead_letters": self.stats.dead_letters,
            "pending": self.stats.pending,
            "p50_lag_s": _round(self.stats.p50_lag_s),
            "p95_lag_s": _round(self.stats.p95_lag_s),
            "last_success": self.stats.last_success.isoformat()
            if self.stats.last_success
            else None,
            "ok": self.ok,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def render_table(summaries: list[IntegrationSummary]) -> str:
    headers = (
        "integration",
        "records",
        "at vendor",
        "duplicates",
        "created",
        "updated",
        "unchanged",
        "linked",
        "retries",
        "dead letters",
        "p95 lag (s)",
        "ok",
    )
    rows = [
        (
            s.view.system,
            s.view.canonical,
            s.view.vendor_records,
            s.view.duplicates,
            s.stats.created,
            s.stats.updated,
            s.stats.unchanged,
            s.stats.linked,
            s.stats.retries,
            s.stats.dead_letters,
            _round(s.stats.p95_lag_s),
            "yes" if s.ok else "NO",
        )
        for s in summaries
    ]
    return tabulate(rows, headers=headers)


def write_summary(
    path: Path, summaries: list[IntegrationSummary], extra: dict[str, Any], *, also: bool = True
) -> bool:
    """Write the verdict; `ok` needs every integration to be ok, and `also`."""
    ok = also and all(s.ok for s in summaries)
    document = {
        "ok": ok,
        "integrations": {s.view.system: s.as_json() for s in summaries},
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return ok
