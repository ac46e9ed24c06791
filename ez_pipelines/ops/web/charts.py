"""Small inline SVG charts for the health page: drawn on the server, no script, no build step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 180, 40, 2


@dataclass(frozen=True)
class Sparkline:
    points: str
    """The polyline's points, empty when there is nothing to draw."""
    latest: float | None
    peak: float | None
    samples: int


def sparkline(values: Sequence[float | None]) -> Sparkline:
    """A line through `values`, oldest on the left, scaled to the largest; gaps are skipped."""
    known = [v for v in values if v is not None]
    if not known:
        return Sparkline("", None, None, len(values))
    peak = max(known)
    scale = (HEIGHT - 2 * PAD) / peak if peak > 0 else 0.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    points = " ".join(
        f"{PAD + i * step:.1f},{HEIGHT - PAD - v * scale:.1f}"
        for i, v in enumerate(values)
        if v is not None
    )
    return Sparkline(points, known[-1], peak, len(values))
