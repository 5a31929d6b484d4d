"""The index layout every engine shares: field names, facets, year ranges, and the
analyzed form of a :class:`~union.search.documents.SearchDocument`.

Engines only choose how to store these fields; which text goes where, and how it is
analyzed, is decided here once (pure code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from union.search.analysis import TITLE_KEY_LENGTH, analyze_text, analyze_value
from union.search.documents import SearchDocument

__all__ = [
    "ANY_BRANCH",
    "FACETS",
    "FACET_FIELDS",
    "FIELD_BOOSTS",
    "SUBJECT_HEADING",
    "TEXT_FIELDS",
    "YEAR_RANGES",
    "IndexedDocument",
    "YearRange",
    "filter_fields",
    "main_heading",
    "prepare",
    "year_range_label",
]

# Analyzed text fields, searchable by name (query fields map onto these).
TITLE = "title"
AUTHOR = "author"
SUBJECT = "subject"
PUBLISHER = "publisher"
SERIES = "series"
TEXT_FIELDS: tuple[str, ...] = (TITLE, AUTHOR, SUBJECT, PUBLISHER, SERIES)
#: How much a match in each field weighs when a query names no field.
FIELD_BOOSTS: Mapping[str, float] = {
    TITLE: 3.0,
    AUTHOR: 2.0,
    SUBJECT: 1.5,
    SERIES: 1.0,
    PUBLISHER: 0.5,
}
# Stored-and-exact fields.
ID = "id"
WORDS = "words"  # folded unstemmed words of every text field: the typo vocabulary
TITLE_KEY = "title_key"  # analyzed title, one exact term: exact-title boosting
TITLE_SORT = "title_sort"  # folded title without its non-filing prefix: sorting
ISBN = "isbn"
YEAR = "year"
DISPLAY = "display"

#: The facet names a search can ask for (and filter on).
FACETS: tuple[str, ...] = ("branch", "available", "language", "format", "subject", "year", "local")
#: Index field of each term-valued facet ("year" is a range facet over the year field).
FACET_FIELDS: Mapping[str, str] = {
    "branch": "f_branch",
    "available": "f_available",
    "language": "f_language",
    "format": "f_format",
    "subject": "f_subject",
    "local": "f_local",
}
#: A work's full subject headings ("Indonesia -- Sejarah -- 1945-1949"), for filtering:
#: the subject facet counts main headings ("Indonesia", as VuFind's topic facet does),
#: fewer and more useful to a patron than headings that are nearly all different.
SUBJECT_HEADING = "f_subject_heading"
#: The "available" facet value of a work with a copy on the shelf in any branch.
ANY_BRANCH = "*"
_SUBDIVISION = re.compile(r"\s*--\s*")
_TITLE_SORT_LENGTH = 120


@dataclass(frozen=True, slots=True)
class YearRange:
    """One bucket of the year facet; ``low`` and ``high`` are inclusive, None is open."""

    label: str
    low: int | None
    high: int | None

    def contains(self, year: int | None) -> bool:
        """Whether ``year`` falls in this bucket (an unknown year falls in none)."""
        if year is None:
            return False
        return (self.low is None or year >= self.low) and (self.high is None or year <= self.high)


def year_range_label(low: int | None, high: int | None) -> str:
    """The label of a year range, in the syntax ``tahun:`` accepts: "1970-1999",
    "-1969" (up to), "2010-" (from)."""
    return f"{'' if low is None else low}-{'' if high is None else high}"


#: The buckets of the year facet. Labels are year ranges in query syntax, so a facet
#: value can be used as a filter or typed as ``tahun:1970-1999``.
YEAR_RANGES: tuple[YearRange, ...] = tuple(
    YearRange(year_range_label(low, high), low, high)
    for low, high in ((None, 1969), (1970, 1999), (2000, 2009), (2010, None))
)


def main_heading(heading: str) -> str:
    """A subject heading without its subdivisions: "Indonesia -- Sejarah" -> "Indonesia"."""
    return _SUBDIVISION.split(heading, maxsplit=1)[0].strip()


def filter_fields(facet: str) -> tuple[str, ...]:
    """The index fields a filter on ``facet`` matches in (any of them): a subject filter
    keeps works with that main heading or that full heading."""
    if facet == "subject":
        return (FACET_FIELDS[facet], SUBJECT_HEADING)
    return (FACET_FIELDS[facet],)


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A search document analyzed into index fields.

    ``text`` maps each of :data:`TEXT_FIELDS` to analyzed, space-joined terms;
    ``facets`` maps each index facet field (:data:`FACET_FIELDS` values, and
    :data:`SUBJECT_HEADING`) to its values;
    ``display_json`` is the document's display fields, serialized once for every engine.
    """

    id: str
    text: Mapping[str, str]
    words: str
    title_key: str
    title_sort: str
    year: int | None
    isbns: tuple[str, ...]
    facets: Mapping[str, tuple[str, ...]]
    display_json: str


def _joined(values: list[str]) -> str:
    return " ".join(value for value in values if value)


def prepare(doc: SearchDocument) -> IndexedDocument:
    """Analyze a document into the fields every engine indexes.

    Titles are analyzed chunk by chunk (memoized per chunk); author names, subject
    headings, publishers and series recur across a catalogue and are memoized whole,
    which is what keeps bulk indexing fast.
    """
    title = analyze_text(doc.title)
    parts = [analyze_value(doc.subtitle)] if doc.subtitle else []
    authors = [analyze_value(name) for name in doc.authors]
    subjects = [analyze_value(subject) for subject in doc.subjects]
    series = [analyze_value(name) for name in doc.series]
    publisher = analyze_value(doc.publisher) if doc.publisher else None
    text = {
        TITLE: _joined([title.terms, *(part.terms for part in parts)]),
        AUTHOR: _joined([author.terms for author in authors]),
        SUBJECT: _joined([subject.terms for subject in subjects]),
        PUBLISHER: publisher.terms if publisher else "",
        SERIES: _joined([name.terms for name in series]),
    }
    every = [title, *parts, *authors, *subjects, *series]
    if publisher:
        every.append(publisher)
    sort_title = analyze_text(doc.sort_title) if doc.title_nonfiling else title
    available = doc.available_branches
    facets = {
        "f_branch": doc.branches,
        "f_available": (ANY_BRANCH, *available) if available else (),
        "f_language": doc.languages,
        "f_format": (doc.format,) if doc.format else (),
        "f_subject": tuple(dict.fromkeys(main_heading(s) for s in doc.subjects)),
        SUBJECT_HEADING: tuple(dict.fromkeys(doc.subjects)),
        "f_local": ("true" if doc.local else "false",),
    }
    return IndexedDocument(
        id=doc.id,
        text=text,
        words=_joined([analyzed.surfaces for analyzed in every]),
        title_key=title.terms[:TITLE_KEY_LENGTH],
        title_sort=sort_title.sort_text[:_TITLE_SORT_LENGTH],
        year=doc.year,
        isbns=doc.isbns,
        facets=facets,
        display_json=orjson.dumps(doc.display_fields()).decode(),
    )
