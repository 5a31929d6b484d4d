"""Whether a work is about the federation's own region (pure).

The city library curates a local-history and local-culture collection; the federation
file names its region as places and subjects (``[local]``). A work belongs to it when one
of its subjects, or its title, names one of them. Names are compared folded (case,
accents, old spelling, punctuation) and as whole words, with spaces ignored, so
"Lubuk Linggau", "LUBUKLINGGAU" and "Loeboeklinggau" are one place, while "Musi" alone
never matches "Musi Rawas".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from union.config import LocalContent
from union.text.folding import fold_text

__all__ = ["LocalMatcher"]


class LocalMatcher:
    """Decides local content for one federation's :class:`~union.config.LocalContent`."""

    def __init__(self, local: LocalContent) -> None:
        # A term is kept with its spaces removed: a run of consecutive words of a text
        # that joins to it is a match, whichever way the words were split.
        terms = {fold_text(t).replace(" ", "") for t in (*local.places, *local.subjects)}
        self._terms = frozenset(t for t in terms if t)
        self._longest = max(map(len, self._terms), default=0)
        # Subject headings recur across a catalogue: fold and scan each one once.
        self._names_region = lru_cache(maxsize=65536)(self._scan)

    def __bool__(self) -> bool:
        """False when the federation names no region: nothing is local."""
        return bool(self._terms)

    def matches(self, texts: Iterable[str | None]) -> bool:
        """Whether any of ``texts`` names the region."""
        if not self._terms:
            return False
        return any(self._names_region(text) for text in texts if text)

    def _scan(self, text: str) -> bool:
        folded = fold_text(text)
        # A match is a term inside the text with its spaces removed; most texts hold
        # none, which one substring search per term (in C) tells at once.
        spaceless = folded.replace(" ", "")
        if not any(term in spaceless for term in self._terms):
            return False
        words = folded.split()
        for start in range(len(words)):
            joined = ""
            for word in words[start:]:
                joined += word
                if len(joined) > self._longest:
                    break
                if joined in self._terms:
                    return True
        return False

    def is_local(self, display: Mapping[str, Any]) -> bool:
        """Whether the work with this merged display record (or BibRecord-shaped dict) is
        about the region: its subjects, title and subtitle are looked at."""
        subjects = display.get("subjects") or ()
        return self.matches((*subjects, display.get("title"), display.get("subtitle")))
