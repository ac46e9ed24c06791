"""`ez-pipelines sandbox ...`: the local stand-ins and the data a demo runs on."""

from __future__ import annotations

from ez_pipelines.cli.root import main


@main.group()
def sandbox() -> None:
    """Local stand-ins for the outside systems, and a generated month of business."""
