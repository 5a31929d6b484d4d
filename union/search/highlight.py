"""Highlighting: which words of a stored title matched the query (pure).

Done on our side rather than by an engine's highlighter because the index holds analyzed
terms, not the title as printed: each whitespace-separated chunk of the title is analyzed
again and marked when one of its terms is among the query's terms, so "Membaca" is marked
for the query "baca" and "Soekarno" for "Sukarno".
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection

from union.search.analysis import chunks

__all__ = ["highlight_spans", "mark"]

_LEADING = re.compile(r"^[\W_]+")
_TRAILING = re.compile(r"[\W_]+$")


def highlight_spans(text: str | None, terms: Collection[str]) -> tuple[tuple[int, int], ...]:
    """The (start, end) character ranges of ``text`` whose words analyze to one of
    ``terms``; edge punctuation is left outside ("(Sukarno)," -> "Sukarno")."""
    if not text or not terms:
        return ()
    spans: list[tuple[int, int]] = []
    for start, end, chunk in chunks(text):
        if any(term in terms for term in chunk.terms):
            piece = text[start:end]
            lead = _LEADING.match(piece)
            trail = _TRAILING.search(piece)
            left = start + (lead.end() if lead else 0)
            right = end - (len(piece) - trail.start() if trail else 0)
            spans.append((left, right) if left < right else (start, end))
    return tuple(spans)


def mark(
    text: str, spans: Collection[tuple[int, int]], before: str = "<mark>", after: str = "</mark>"
) -> str:
    """``text`` HTML-escaped, with each span wrapped in ``before``/``after``."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        if start < at:
            continue
        out.append(html.escape(text[at:start]))
        out.append(before + html.escape(text[start:end]) + after)
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)
