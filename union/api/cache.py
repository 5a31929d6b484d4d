"""A short-lived cache of search answers (micro-caching).

Counting facets over a large catalogue costs milliseconds of CPU per search, and the same
searches recur (the landing page's browse, popular words, a facet link many patrons
follow). An answer is kept for a couple of seconds under its exact query string, so a
burst of one search is answered once per interval; the index itself follows the store's
change log only every few seconds, so the answers are hardly staler than the index.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

__all__ = ["DEFAULT_TTL", "AnswerCache"]

#: Seconds an answer is served from the cache.
DEFAULT_TTL = 2.0


class AnswerCache:
    """Response bodies by key, each for ``ttl`` seconds of ``clock`` (seconds), the
    ``capacity`` most recently stored at most."""

    def __init__(self, clock: Callable[[], float], ttl: float = DEFAULT_TTL,
                 capacity: int = 4096) -> None:
        self._clock = clock
        self._ttl = ttl
        self._capacity = capacity
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    def get(self, key: str) -> bytes | None:
        """The body stored under ``key`` if it is still fresh."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry[0]:
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: str, body: bytes) -> None:
        """Keep ``body`` under ``key`` for the next ``ttl`` seconds."""
        self._entries[key] = (self._clock() + self._ttl, body)
        self._entries.move_to_end(key)
        while len(self._entries) > self._capacity:
            self._entries.popitem(last=False)
