"""The pure-Python fallback engine: Whoosh (whoosh-reloaded), persisted in a directory.

For a deployment where the tantivy wheel is unavailable. Same fields and the same
analyzed text as :mod:`union.search.tantivy_engine`; Whoosh only splits on spaces.

Facets use Whoosh's own grouping: multi-valued facet fields are KEYWORD fields (values
separated by U+001F, which no catalogue value contains; a document without a value gets
a placeholder) stored with term vectors, since
Whoosh's overlapping facets otherwise un-invert the whole field on every search (about
four times slower, see ARCHITECTURE.md); the year ranges are a query facet. Counts are
exact: Whoosh groups every match.

Whoosh deletes by term only in committed segments, so a document added twice before a
commit would be indexed twice: the engine remembers the ids written since the last
commit and commits first when one comes again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.analysis import RegexTokenizer, SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher
from whoosh.writing import IndexWriter

from union.search import fields as f
from union.search.documents import SearchDocument
from union.search.engine import FacetValue, Hit, IndexBusy, SearchQuery, SearchResults, Sort
from union.search.facet_cache import BrowseFacets
from union.search.fields import FACET_FIELDS, FIELD_BOOSTS, YEAR_RANGES, IndexedDocument, prepare
from union.search.highlight import highlight_spans
from union.search.layout import claim_directory
from union.search.plan import Plan
from union.search.tree import (
    And,
    FacetIn,
    IsbnIs,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    YearBetween,
    has_words,
)
from union.search.typos import run_search, within_one_edit

__all__ = ["WhooshEngine"]

LAYOUT_VERSION = 2  # 2: the subject facet counts main headings
_TITLE_KEY_BOOST = 5.0
_VALUE_SEPARATOR = "\x1f"
# Whoosh's vector-based facets fail on a document without a vector for the field, so a
# document without values gets this one, which facet counts leave out.
_NO_VALUE = "\x00"
# Sorting by year descending is sorting ascending on the negated year, so that works
# without a year (the column default, the largest value) come last either way.
_YEAR_NEGATED = "year_negated"
_SORTS = {
    Sort.YEAR_ASC: f.YEAR,
    Sort.YEAR_DESC: _YEAR_NEGATED,
    Sort.TITLE: f.TITLE_SORT,
}


def _schema() -> Schema:
    words = SpaceSeparatedTokenizer()
    values = RegexTokenizer(f"[^{_VALUE_SEPARATOR}]+")
    fields: dict[str, Any] = {
        f.ID: ID(stored=True, unique=True),
        f.WORDS: TEXT(analyzer=words, phrase=False),
        f.TITLE_KEY: ID(),
        f.TITLE_SORT: ID(sortable=True),
        f.ISBN: KEYWORD(),
        f.YEAR: NUMERIC(int, bits=32, sortable=True),
        _YEAR_NEGATED: NUMERIC(int, bits=32, sortable=True),
        f.DISPLAY: STORED(),
    }
    for name in f.TEXT_FIELDS:
        fields[name] = TEXT(analyzer=words, phrase=True)
    for name in FACET_FIELDS.values():
        fields[name] = KEYWORD(analyzer=values, vector=True)
    fields[f.SUBJECT_HEADING] = KEYWORD(analyzer=values)
    return Schema(**fields)


class WhooshEngine:
    """A Whoosh index in ``directory`` (created if missing, reopened if present).

    ``writer_memory_mb`` is the indexing memory budget per commit.
    """

    def __init__(self, directory: str | Path, *, writer_memory_mb: int = 256) -> None:
        self.directory = claim_directory(directory, "whoosh", LAYOUT_VERSION)
        if whoosh_index.exists_in(str(self.directory)):
            self._index = whoosh_index.open_dir(str(self.directory))
        else:
            self._index = whoosh_index.create_in(str(self.directory), _schema())
        self._writer: IndexWriter | None = None
        self._fresh = False
        self._written: set[str] = set()
        self._writer_memory_mb = writer_memory_mb
        self._searcher: Searcher = self._index.searcher()
        self._closed = False
        self._generation = 0
        self._browse_facets = BrowseFacets()

    # -- writing ---------------------------------------------------------------------

    def _open_writer(self) -> IndexWriter:
        if self._writer is None:
            # Into an index that is empty (a rebuild), no add needs a delete first: ids
            # repeated before a commit make us commit in between (see add()).
            self._fresh = self._index.doc_count() == 0
            try:
                self._writer = self._index.writer(limitmb=self._writer_memory_mb)
            except whoosh_index.LockError as error:
                raise IndexBusy(f"{self.directory}: the index is locked") from error
        return self._writer

    def _commit_writer(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer = None
            self._written.clear()

    def add(self, docs: Iterable[SearchDocument]) -> None:
        """Index ``docs``, replacing documents with the same ids."""
        self.add_encoded((doc.id, encode_document(prepare(doc))) for doc in docs)

    @staticmethod
    def encode_document(prepared: IndexedDocument) -> dict[str, Any]:
        """:func:`encode_document`: what :meth:`add_encoded` takes (a bulk build encodes
        in worker processes)."""
        return encode_document(prepared)

    def add_encoded(self, docs: Iterable[tuple[str, dict[str, Any]]], *,
                    new_ids: bool = False) -> None:
        """Index (id, :func:`encode_document`) pairs, replacing documents with the same
        ids; ``new_ids`` promises that no id is indexed or repeated (a rebuild's works),
        so none is looked for or remembered."""
        for doc_id, encoded in docs:
            if new_ids:
                self._open_writer().add_document(**encoded)
                continue
            if doc_id in self._written:
                self._commit_writer()
            writer = self._open_writer()
            if not self._fresh:
                writer.delete_by_term(f.ID, doc_id)
            writer.add_document(**encoded)
            self._written.add(doc_id)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids."""
        for doc_id in ids:
            if doc_id in self._written:
                self._commit_writer()
            self._open_writer().delete_by_term(f.ID, doc_id)

    def commit(self) -> None:
        """Persist pending changes and make them visible to searches."""
        self._commit_writer()
        # A fresh searcher rather than Searcher.refresh(), which fails on a reader of an
        # index that was empty when it was opened (whoosh-reloaded 2.7.5).
        self._searcher.close()
        self._searcher = self._index.searcher()
        self._generation += 1

    def refresh(self) -> None:
        """See changes committed by another process (another writer of this directory)."""
        self._searcher.close()
        self._searcher = self._index.searcher()
        self._generation += 1

    def close(self) -> None:
        """Drop uncommitted changes and release the index (closing twice is harmless)."""
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None
            self._written.clear()
        if not self._closed:
            self._searcher.close()
            self._closed = True

    def size_bytes(self) -> int:
        """The index's size on disk."""
        return sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())

    # -- searching -------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Run ``query``; a query that finds nothing is retried with corrected words."""
        return run_search(query, lambda plan: self._execute(query, plan), self)

    def frequency(self, word: str) -> int:
        """How many documents contain the unstemmed, folded ``word`` (typo tolerance)."""
        return int(self._searcher.reader().doc_frequency(f.WORDS, word))

    def similar(self, word: str) -> list[str]:
        """Indexed words one edit from ``word`` (typo tolerance)."""
        reader = self._searcher.reader()
        candidates = list(reader.terms_within(f.WORDS, word, 1, prefix=1))
        return within_one_edit(
            word, candidates, lambda candidate: reader.doc_frequency(f.WORDS, candidate)
        )

    def _execute(self, query: SearchQuery, plan: Plan) -> SearchResults:
        matcher = _translate(plan.root)
        scored = matcher
        if plan.title_key and query.sort is Sort.RELEVANCE:
            exact = wq.Term(f.TITLE_KEY, plan.title_key, boost=_TITLE_KEY_BOOST)
            scored = wq.AndMaybe(matcher, exact)
        browse = not has_words(plan.root)
        groups = {} if browse else {name: _facet(name) for name in query.facets}
        sortedby = _SORTS.get(query.sort)
        results = self._searcher.search(
            scored,
            limit=max(query.offset + query.limit, 1),
            sortedby=sortedby,
            groupedby=groups or None,
            terms=False,
        )
        hits = []
        if query.limit:
            page = results[query.offset : query.offset + query.limit]
            for hit in page:
                fields = json.loads(hit[f.DISPLAY])
                spans = highlight_spans(fields.get("title"), plan.highlight_terms)
                score = float(hit.score) if sortedby is None and hit.score is not None else 0.0
                hits.append(Hit(fields["id"], score, fields, spans))
        facets: Mapping[str, tuple[FacetValue, ...]]
        if browse and query.facets:
            facets = self._browse_facets.get(
                self._generation,
                plan.root,
                query.facets,
                query.facet_limit,
                lambda: self._count_facets(matcher, query),
            )
        else:
            facets = {name: _facet_values(name, results.groups(name), query) for name in groups}
        return SearchResults(total=len(results), hits=tuple(hits), facets=facets)

    def _count_facets(
        self, matcher: wq.Query, query: SearchQuery
    ) -> dict[str, tuple[FacetValue, ...]]:
        groups = {name: _facet(name) for name in query.facets}
        results = self._searcher.search(matcher, limit=1, groupedby=groups, terms=False)
        return {name: _facet_values(name, results.groups(name), query) for name in groups}


def _facet(name: str) -> sorting.FacetType:
    if name == "year":
        ranges = {r.label: wq.NumericRange(f.YEAR, r.low, r.high) for r in YEAR_RANGES}
        return sorting.QueryFacet(ranges, maptype=sorting.Count)
    return sorting.FieldFacet(FACET_FIELDS[name], allow_overlap=True, maptype=sorting.Count)


def _facet_values(name: str, counts: dict[Any, int], query: SearchQuery) -> tuple[FacetValue, ...]:
    if name == "year":
        return tuple(FacetValue(r.label, counts.get(r.label, 0)) for r in YEAR_RANGES)
    values = sorted(
        (
            FacetValue(str(value), count)
            for value, count in counts.items()
            if value is not None and value != _NO_VALUE
        ),
        key=lambda v: (-v.count, v.value),
    )
    return tuple(values[: query.facet_limit])


def encode_document(prepared: IndexedDocument) -> dict[str, Any]:
    """The document as the field values Whoosh's ``add_document`` takes."""
    doc: dict[str, Any] = {
        f.ID: prepared.id,
        f.TITLE_SORT: prepared.title_sort,
        f.DISPLAY: prepared.display_json,
    }
    for name, text in prepared.text.items():
        if text:
            doc[name] = text
    if prepared.words:
        doc[f.WORDS] = prepared.words
    if prepared.title_key:
        doc[f.TITLE_KEY] = prepared.title_key
    if prepared.isbns:
        doc[f.ISBN] = " ".join(prepared.isbns)
    if prepared.year is not None:
        doc[f.YEAR] = prepared.year
        doc[_YEAR_NEGATED] = -prepared.year
    for name, values in prepared.facets.items():
        doc[name] = _VALUE_SEPARATOR.join(values) if values else _NO_VALUE
    return doc


def _any_field(build: Any) -> wq.Query:
    # An Or of the boosted fields, not Whoosh's DisjunctionMax: its matcher gives a
    # document the score of another document's match (whoosh-reloaded 2.7.5).
    return wq.Or([build(name, boost) for name, boost in FIELD_BOOSTS.items()])


def _translate(node: Node) -> wq.Query:
    """The query tree in Whoosh's terms."""
    if isinstance(node, Term):
        if node.field is not None:
            return wq.Term(node.field, node.term)
        return _any_field(lambda name, boost: wq.Term(name, node.term, boost=boost))
    if isinstance(node, Phrase):
        words = list(node.terms)
        if len(words) == 1:
            return _translate(Term(node.field, words[0], words[0]))
        if node.field is not None:
            return wq.Phrase(node.field, words)
        return _any_field(lambda name, boost: wq.Phrase(name, words, boost=boost))
    if isinstance(node, And):
        must = [_translate(c) for c in node.children if not isinstance(c, Not)]
        must_not = [_translate(c.child) for c in node.children if isinstance(c, Not)]
        positive = wq.And(must) if must else wq.Every()
        return wq.AndNot(positive, wq.Or(must_not)) if must_not else positive
    if isinstance(node, Or):
        return wq.Or([_translate(c) for c in node.children])
    if isinstance(node, Not):
        return wq.AndNot(wq.Every(), _translate(node.child))
    if isinstance(node, YearBetween):
        return wq.NumericRange(f.YEAR, node.low, node.high)
    if isinstance(node, IsbnIs):
        return wq.Term(f.ISBN, node.isbn)
    if isinstance(node, FacetIn):
        return wq.Or([wq.Term(name, value) for name in f.filter_fields(node.facet)
                      for value in node.values])
    if isinstance(node, MatchAll):
        return wq.Every()
    if isinstance(node, MatchNone):
        return wq.NullQuery
    raise TypeError(f"unknown query node {node!r}")
