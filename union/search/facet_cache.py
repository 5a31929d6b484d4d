"""A cache of whole-catalogue facet counts, valid until the index changes.

The landing page of a catalogue browses everything with every facet, and counting facets
over every document is the most expensive search there is (tens of milliseconds at
200,000 works), while its answer only changes when the index does. So facet counts of a
query matching every document (no words, no filters) are kept per index generation;
every other query is counted afresh.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from union.search.engine import FacetValue

__all__ = ["WholeIndexFacets"]

Facets = Mapping[str, tuple[FacetValue, ...]]


class WholeIndexFacets:
    """Facet counts of the whole index, per (facets asked, facet limit)."""

    def __init__(self, capacity: int = 16) -> None:
        self._capacity = capacity
        self._generation = -1
        self._entries: dict[tuple[tuple[str, ...], int], Facets] = {}

    def get(
        self,
        generation: int,
        facets: tuple[str, ...],
        limit: int,
        count: Callable[[], Facets],
    ) -> Facets:
        """The counts for ``generation`` of the index, computed by ``count`` once."""
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        key = (facets, limit)
        found = self._entries.get(key)
        if found is None:
            found = count()
            if len(self._entries) >= self._capacity:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = found
        return found
