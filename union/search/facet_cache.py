"""A cache of the facet counts of browsing searches, valid until the index changes.

The landing page of a catalogue browses everything with every facet, and its facet links
browse one branch, one language, the available copies or the local collection. Counting
facets over that many documents is the most expensive search there is (tens of
milliseconds at 200,000 works, hundreds for the subject headings of a million), while
the counts of a search without words only change when the index does. So they are kept
per index generation, by the filters searched; every search with words is counted
afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping

from union.search.engine import FacetValue
from union.search.tree import Node

__all__ = ["BrowseFacets"]

Facets = Mapping[str, tuple[FacetValue, ...]]


class BrowseFacets:
    """Facet counts of searches without words, per (filters, facets asked, facet
    limit), the ``capacity`` most recently used; safe across threads (searches run on a
    thread pool)."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._generation = -1
        self._entries: OrderedDict[tuple[Node, tuple[str, ...], int], Facets] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        generation: int,
        filters: Node,
        facets: tuple[str, ...],
        limit: int,
        count: Callable[[], Facets],
    ) -> Facets:
        """The counts for ``generation`` of the index, computed by ``count`` once."""
        key = (filters, facets, limit)
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        found = count()  # outside the lock: other searches go on meanwhile
        with self._lock:
            if generation == self._generation:
                self._entries[key] = found
                if len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
        return found
