"""The links at the top of every ops page.

A page added to the ops service registers its link here with `add_page_link`, and the health
page shows it; the review queue page is expected to add ("Review queue", "/review").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    title: str
    path: str


PAGE_LINKS: list[PageLink] = [PageLink("Health", "/health"), PageLink("Metrics", "/metrics")]


def add_page_link(title: str, path: str) -> None:
    if all(link.path != path for link in PAGE_LINKS):
        PAGE_LINKS.append(PageLink(title, path))
