"""Connected parts of a graph of record ids (pure): which records a set of links joins,
directly or through others."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

__all__ = ["connected_parts"]


def connected_parts(ids: Iterable[int], links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The connected parts of the graph of ``ids`` joined by ``links``, each part's ids in
    the order ``ids`` gave them. Every link must join two of ``ids``."""
    parent = {i: i for i in ids}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    parts: dict[int, list[int]] = defaultdict(list)
    for i in parent:
        parts[find(i)].append(i)
    return list(parts.values())
