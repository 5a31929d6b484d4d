"""Series and journal titles compared the way catalogues and citation databases write them.

A numbered series statement places a book in a larger publication ("Seri penerbitan
PPW-LIPI ; no. 05/2000"); for an article the journal with its volume and issue does the
same. Two records of one manifestation are in the same series, though one source may
abbreviate its title the ISO 4 way ("New Engl J Med" / "New England Journal of
Medicine", "Ann Fr Anesth Reanim") and the numbering may or may not carry the issue
("108/04" / "108"). Two records numbered in *different* series are, almost always, two
publications: the same paper printed in two journals, a book reissued in another series.

:func:`series_numbers` reads a record's numbered series statements; the rest compares
what it reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from union.bib_record import BibRecord
from union.dedup.numbering import parse_number
from union.text.folding import fold_characters, fold_text

__all__ = [
    "SeriesAgreement",
    "SeriesNumber",
    "compare_series_titles",
    "parse_series_number",
    "series_numbers",
]

# Words a series title may gain or lose between sources (articles, prepositions,
# conjunctions in the languages of the titles seen), and numbers (an ISSN or a year
# appended to the title).
_FILLER = frozenset({
    "a", "an", "the", "of", "and", "for", "on", "in", "at", "to", "by", "with",
    "de", "des", "du", "la", "le", "les", "et", "d", "l", "y", "e", "el", "del",
    "der", "die", "das", "und", "fur", "di", "dan", "untuk", "dari", "pada", "ke",
})
_NUMBER = re.compile(r"^\d+$")


class SeriesAgreement(Enum):
    """How two series titles relate."""

    SAME = "same"  # equal, or one an abbreviation of the other word by word
    RELATED = "related"  # overlapping words, but not the same title: undecided
    DIFFERENT = "different"  # another series


def _significant(title: str) -> tuple[str, ...]:
    return tuple(w for w in title.split() if w not in _FILLER and not _NUMBER.match(w))


def _abbreviates(short: str, long: str) -> bool:
    """``short`` is ``long`` or an abbreviation of it: same first letter, its letters in
    order ("engl" / "england", "j" / "journal", "dtsch" / "deutsche")."""
    if short == long:
        return True
    if len(short) >= len(long) or short[0] != long[0]:
        return False
    rest = iter(long)
    return all(ch in rest for ch in short)


def _aligned(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Word by word, each word of one title abbreviates the other's word or equals it."""
    if len(x) != len(y) or not x:
        return False
    return all(_abbreviates(p, q) or _abbreviates(q, p) for p, q in zip(x, y, strict=True))


def compare_series_titles(a: str, b: str) -> SeriesAgreement:
    """How the folded series titles ``a`` and ``b`` relate (see :class:`SeriesAgreement`).

    "new engl j med" / "new england journal of medicine": SAME (abbreviated word by word);
    "stroke" / "stroke a journal of cerebral circulation": RELATED (one title is part of
    the other, which may be its subtitle or another journal); "blood" / "stroke": DIFFERENT.
    """
    wa, wb = _significant(a), _significant(b)
    if wa == wb or _aligned(wa, wb):
        return SeriesAgreement.SAME
    shorter, longer = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if shorter and set(shorter) <= set(longer):
        return SeriesAgreement.RELATED
    return SeriesAgreement.DIFFERENT


@dataclass(frozen=True, slots=True)
class SeriesNumber:
    """A number within a series: the volume (or number) and, for journals or series
    numbered per year, the issue or year after a slash ("26/11", "5/2000")."""

    volume: str
    issue: str | None = None

    def agrees_with(self, other: SeriesNumber) -> bool:
        """Same volume, and the same issue when both give one (a source that leaves the
        issue out says nothing against it)."""
        if self.volume != other.volume:
            return False
        return self.issue is None or other.issue is None or self.issue == other.issue


def parse_series_number(number: str) -> SeriesNumber:
    """"26/11" -> volume 26, issue 11; "140" -> volume 140 (as :func:`series_numbers` writes
    them)."""
    volume, _, issue = number.partition("/")
    return SeriesNumber(volume, issue or None)


_SERIES_NUMBER = re.compile(r"(\d{1,5}(?:\s*/\s*\d{2,4})?|[ivxlc]{1,7})\s*$")


def series_numbers(record: BibRecord) -> dict[str, str]:
    """Numbered series statements as {folded series title: number}.

    "Seri penerbitan PPW-LIPI ; no. 05/2000" -> {"seri penerbitan ppw lipi": "5/2000"}.
    Unnumbered series are left out: they say nothing about which book this is.
    """
    found: dict[str, str] = {}
    for statement in record.series:
        if ";" not in statement:
            continue
        head, _, numbering = statement.rpartition(";")
        match = _SERIES_NUMBER.search(fold_characters(numbering).strip(" .,)"))
        title = fold_text(head)
        if not match or not title:
            continue
        raw = match.group(1).replace(" ", "")
        if "/" in raw:
            first, _, second = raw.partition("/")
            number = f"{int(first)}/{second}"
        else:
            parsed = parse_number(raw)
            number = str(parsed) if parsed is not None else raw
        found[title] = number
    return found
