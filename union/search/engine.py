"""The one narrow interface every search engine implements, and its vocabulary.

An engine stores :class:`~union.search.documents.SearchDocument` s in a directory and
answers :class:`SearchQuery` s. It never analyzes text itself: documents arrive analyzed
through :func:`union.search.fields.prepare` and queries as an engine-neutral tree (see
:mod:`union.search.tree`), so every engine finds the same works for the same query.

Changes (:meth:`SearchEngine.add`, :meth:`SearchEngine.add_encoded`,
:meth:`SearchEngine.delete`) become visible to searches at :meth:`SearchEngine.commit`.
Adding a document whose id is already indexed replaces it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from union.search.documents import SearchDocument
from union.search.fields import FACETS, IndexedDocument
from union.search.tree import Node

__all__ = [
    "ENGINES",
    "MAX_LIMIT",
    "FacetValue",
    "Hit",
    "IndexBusy",
    "SearchEngine",
    "SearchQuery",
    "SearchResults",
    "Sort",
    "open_engine",
]

#: The most hits one page may ask for.
MAX_LIMIT = 1000
#: Engine names accepted by :func:`open_engine`.
ENGINES = ("tantivy", "whoosh")


class Sort(StrEnum):
    """Result order. Works without a year sort after all others, either way."""

    RELEVANCE = "relevance"
    YEAR_ASC = "year_asc"
    YEAR_DESC = "year_desc"
    TITLE = "title"


class IndexBusy(RuntimeError):
    """Another process holds the index's writer (a serving node, say): this one cannot
    write to the index now."""


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """One search request.

    ``query`` is the patron's text (parsed with :func:`union.search.query.parse_query`)
    or a tree built by code. ``filters`` maps a facet name (:data:`FACETS`) to the values
    to keep: values of one facet are alternatives, different facets must all hold; a
    "year" filter value is a year range in query syntax ("1970-1999", "2010-").
    ``year_from``/``year_to`` bound the year of publication (inclusive). ``facets`` names
    the facets to count, each truncated to its ``facet_limit`` most frequent values (year
    ranges are all returned, in order). ``typo_tolerance`` allows the retry with
    corrected words when the query finds nothing.
    """

    query: str | Node = ""
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    sort: Sort = Sort.RELEVANCE
    offset: int = 0
    limit: int = 20
    facets: tuple[str, ...] = ()
    facet_limit: int = 20
    typo_tolerance: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 0 and {MAX_LIMIT}")
        if self.offset < 0:
            raise ValueError("offset must not be negative")
        if self.facet_limit < 1:
            raise ValueError("facet_limit must be at least 1")
        object.__setattr__(self, "sort", Sort(self.sort))
        object.__setattr__(self, "facets", tuple(self.facets))
        unknown = [name for name in (*self.facets, *self.filters) if name not in FACETS]
        if unknown:
            raise ValueError(f"unknown facet {unknown[0]!r}; facets are {', '.join(FACETS)}")


@dataclass(frozen=True, slots=True)
class Hit:
    """One work in a result page: its stored display fields (see
    :meth:`~union.search.documents.SearchDocument.display_fields`) and the character
    ranges of ``fields["title"]`` that matched the query."""

    id: str
    score: float
    fields: Mapping[str, Any]
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One facet value and how many matching works have it."""

    value: str
    count: int


@dataclass(frozen=True, slots=True)
class SearchResults:
    """A page of results. ``total`` counts every match; ``facets`` maps each requested
    facet to its values, most frequent first (year ranges in chronological order, empty
    ones included). ``corrections`` is empty for an exact search; when the typo fallback
    ran, it maps each typed word that was corrected to the words searched instead."""

    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    corrections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def facet_counts(self, name: str) -> dict[str, int]:
        """One facet as a plain value -> count dict."""
        return {entry.value: entry.count for entry in self.facets.get(name, ())}


@runtime_checkable
class SearchEngine(Protocol):
    """A persistent full-text index of search documents."""

    def add(self, docs: Iterable[SearchDocument]) -> None:
        """Index ``docs``; a document whose id is indexed already replaces it. Raises
        :class:`IndexBusy` when another process holds the index's writer."""
        ...

    def encode_document(self, prepared: IndexedDocument) -> Any:
        """``prepared`` in the engine's own form, for :meth:`add_encoded` (pure, its
        result picklable: a rebuild encodes in worker processes)."""
        ...

    def add_encoded(self, docs: Iterable[tuple[str, Any]], *, new_ids: bool = False) -> None:
        """Index (id, :meth:`encode_document`) pairs like :meth:`add`; ``new_ids``
        promises that no id is indexed or repeated (a rebuild's works)."""
        ...

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored)."""
        ...

    def commit(self) -> None:
        """Make every change so far durable and visible to searches."""
        ...

    def search(self, query: SearchQuery) -> SearchResults:
        """Run one search over the committed documents."""
        ...

    def refresh(self) -> None:
        """See what another process committed to the same directory since."""
        ...

    def close(self) -> None:
        """Release the index (pending uncommitted changes are discarded)."""
        ...


def open_engine(name: str, directory: str | Path) -> SearchEngine:
    """Open (or create) the index of engine ``name`` ("tantivy" or "whoosh") in
    ``directory``."""
    if name == "tantivy":
        from union.search.tantivy_engine import TantivyEngine

        return TantivyEngine(directory)
    if name == "whoosh":
        from union.search.whoosh_engine import WhooshEngine

        return WhooshEngine(directory)
    raise ValueError(f"unknown search engine {name!r}; choose one of {', '.join(ENGINES)}")
