"""Small inline SVG charts for the health page: drawn on the server, no script, no build step.

Each chart spans the last day on its x axis (24 h ago on the left, now on the right) and zero to
its peak on its y axis; the page labels both axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ChartSize:
    width: int = 220
    height: int = 64
    left: int = 34
    right: int = 216
    top: int = 4
    bottom: int = 52


SIZE = ChartSize()


@dataclass(frozen=True)
class Sparkline:
    points: str
    """The polyline's points, empty when there is nothing to draw."""
    latest: float | None
    peak: float | None
    samples: int

    @property
    def peak_label(self) -> str:
        return "–" if self.peak is None else f"{self.peak:.4g}"


def sparkline(
    samples: Sequence[tuple[datetime, float | None]], *, now: datetime, window: timedelta
) -> Sparkline:
    """A line through `samples`, placed by their time within the `window` before `now` and
    scaled to the largest value; samples without a value are skipped."""
    known = [(at, v) for at, v in samples if v is not None]
    if not known:
        return Sparkline("", None, None, len(samples))
    peak = max(v for _, v in known)
    scale = (SIZE.bottom - SIZE.top) / peak if peak > 0 else 0.0
    span = SIZE.right - SIZE.left
    start = now - window

    def x(at: datetime) -> float:
        share = (at - start) / window
        return SIZE.left + min(max(share, 0.0), 1.0) * span

    points = " ".join(f"{x(at):.1f},{SIZE.bottom - v * scale:.1f}" for at, v in known)
    return Sparkline(points, known[-1][1], peak, len(samples))
