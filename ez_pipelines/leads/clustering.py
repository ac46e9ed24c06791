"""Records into people: union-find over merge edges, with a person's decisions as constraints.

Deterministic: the same records, pairs and decisions give the same clusters, whatever order they
arrive in. Must-links (a person said "same") are joined first; then merge edges, strongest
first. A cannot-link (a person said "split") is never crossed: an edge that would put its two
records in one cluster is left out, however strong, so a split is never merged back.

The matcher's own "two names, two people" pairs are soft cannot-links: they bar automatic
edges, not a person's merge. Without them, a record that says little (a WhatsApp number with
no name) would chain two relatives sharing the family phone into one lead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    left: int
    right: int
    score: float


class _Forest:
    def __init__(self, ids: Iterable[int]) -> None:
        self.parent = {i: i for i in ids}
        # Only components holding a constrained record carry a set: people decide few pairs.
        self.banned: dict[int, set[int]] = {}

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def forbidden(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        small, other = sorted((ra, rb), key=lambda r: len(self.banned.get(r, ())))
        return any(self.find(x) == other for x in self.banned.get(small, ()))

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        # The smaller id is the root, so a cluster's root is its smallest member.
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        moved = self.banned.pop(child, None)
        if moved:
            self.banned.setdefault(root, set()).update(moved)
        return True


@dataclass(frozen=True)
class Clustering:
    clusters: dict[int, list[int]]
    """Smallest member id -> sorted member ids."""
    refused: list[Edge]
    """Merge edges left out because a person split their two records."""
    joined: int = 0
    """Unions made by merge edges: records that joined another's cluster automatically."""
    forced: int = 0
    """Unions made by a person's `merge`."""

    def cluster_of(self) -> dict[int, int]:
        return {m: root for root, members in self.clusters.items() for m in members}


def _ban(forest: _Forest, pairs: Iterable[tuple[int, int]]) -> None:
    for a, b in pairs:
        forest.banned.setdefault(forest.find(a), set()).add(b)
        forest.banned.setdefault(forest.find(b), set()).add(a)


def cluster(
    ids: Iterable[int],
    edges: Sequence[Edge],
    *,
    must_link: Sequence[tuple[int, int]] = (),
    cannot_link: Sequence[tuple[int, int]] = (),
    soft_cannot_link: Sequence[tuple[int, int]] = (),
) -> Clustering:
    forest = _Forest(ids)
    _ban(forest, cannot_link)
    refused: list[Edge] = []
    unions = {"forced": 0, "joined": 0}

    def join(kind: str, edges: Iterable[Edge]) -> None:
        for edge in edges:
            if forest.find(edge.left) == forest.find(edge.right):
                continue
            if forest.banned and forest.forbidden(edge.left, edge.right):
                refused.append(edge)
                continue
            forest.union(edge.left, edge.right)
            unions[kind] += 1

    forced = sorted((min(a, b), max(a, b)) for a, b in must_link)
    join("forced", (Edge(a, b, float("inf")) for a, b in forced))
    _ban(forest, [(a, b) for a, b in soft_cannot_link if forest.find(a) != forest.find(b)])
    join("joined", sorted(edges, key=lambda e: (-e.score, e.left, e.right)))

    clusters: dict[int, list[int]] = {}
    for item in sorted(forest.parent):
        clusters.setdefault(forest.find(item), []).append(item)
    return Clustering(clusters, refused, joined=unions["joined"], forced=unions["forced"])
