"""Highlighting: which words of a stored title matched the query (pure).

Done on our side rather than by an engine's highlighter because the index holds analyzed
terms, not the title as printed: each whitespace-separated chunk of the title is analyzed
again and marked when one of its terms is among the query's terms, so "Membaca" is marked
for the query "baca" and "Soekarno" for "Sukarno".

Analyzing a word the analyzer has not seen yet means running Sastrawi (tens to hundreds
of microseconds), and most title words of a result page are such words, so a chunk is
analyzed only if it may hold a term: Sastrawi takes affixes off and recodes at most a
stem's first letter ("memukul" -> "pukul"), so every term of a chunk but its first
letter is found in the chunk's folded letters. Terms reached through the spelling
variant tables ("menasehati" -> "nasehat" -> "nasihat") are not, and a query with such a
term analyzes every chunk.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from functools import cache, lru_cache

from union.search.analysis import analyze_chunk, term_of_word
from union.text.folding import (
    CURATED_OLD_SPELLINGS,
    SPELLING_VARIANTS,
    expand_reduplication,
    fold_characters,
    fold_word,
    strip_punctuation,
)

__all__ = ["highlight_spans", "mark"]

_CHUNK = re.compile(r"\S+")
_LEADING = re.compile(r"^[\W_]+")
_TRAILING = re.compile(r"[\W_]+$")


def highlight_spans(text: str | None, terms: Collection[str]) -> tuple[tuple[int, int], ...]:
    """The (start, end) character ranges of ``text`` whose words analyze to one of
    ``terms``; edge punctuation is left outside ("(Sukarno)," -> "Sukarno")."""
    if not text or not terms:
        return ()
    tails = _tails(terms)
    spans: list[tuple[int, int]] = []
    for found in _CHUNK.finditer(text):
        piece = found.group(0)
        if tails:
            letters = _letters(piece)
            if not any(tail in letters for tail in tails):
                continue
        if any(term in terms for term in analyze_chunk(piece).terms):
            start, end = found.span()
            lead = _LEADING.match(piece)
            trail = _TRAILING.search(piece)
            left = start + (lead.end() if lead else 0)
            right = end - (len(piece) - trail.start() if trail else 0)
            spans.append((left, right) if left < right else (start, end))
    return tuple(spans)


def _tails(terms: Collection[str]) -> tuple[str, ...]:
    """What every chunk holding one of ``terms`` contains: each term but its first
    letter; nothing (analyze every chunk) if a term comes from the variant tables."""
    if any(term in _variant_terms() for term in terms):
        return ()
    return tuple(term[1:] or term for term in terms)


@lru_cache(maxsize=1 << 16)
def _letters(chunk: str) -> str:
    """The chunk's words folded as the analyzer folds them, run together; and the words
    run together before folding, as a reduplication's whole is ("jg-jg" -> "ygyg",
    "anak2" -> "anakanak")."""
    words = expand_reduplication(strip_punctuation(fold_characters(chunk))).split()
    return "".join(fold_word(word) for word in words) + " " + fold_word("".join(words))


@cache
def _variant_terms() -> frozenset[str]:
    """Terms that folding reaches by a table rather than by taking letters off."""
    targets = {*SPELLING_VARIANTS.values(), *CURATED_OLD_SPELLINGS.values()}
    return frozenset(targets | {term_of_word(word) or word for word in targets})


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
