"""The embedded default engine: tantivy (Rust, through tantivy-py), persisted in a directory.

Layout. Analyzed text fields use tantivy's whitespace tokenizer (our analyzer did the
rest); exact fields (id, ISBN, title key, facet values) its raw tokenizer. Facet fields
and the title sort key are fast (columnar) fields; the year is an indexed, fast integer.
The display fields are stored as one JSON blob.

Facets are tantivy aggregations over the query's matches: a terms aggregation per term
facet and a range aggregation for the year ranges, in one request so the query runs once
for all of them. Every segment offers all its values of a facet, so counts are exact
however broad the search (at 1,000,000 works about 5% more CPU per search than each
segment offering its 200 most frequent values, Elasticsearch's shard_size scheme, which
let the subject facet of a broad search miss headings). Subjects are counted as numbers
(:func:`subject_number`) and labelled from a stored document. Counting every document (the
catalogue's landing page) is the most expensive search of all and only changes with the
index, so the facet counts of searches without words (that one, and the facet links
followed from it) are cached per reader generation (:mod:`union.search.facet_cache`); the
reader moves only on our own commits and on :meth:`TantivyEngine.refresh`.

A search passes over its matches twice, once for the page and once for the facets. The
facets are counted on another thread meanwhile: tantivy lets go of the GIL, so with a
core free the two passes take about as long as the longer one (at 1,000,000 works, a
search with two facets 2.9 -> 1.8 ms) for the same CPU.

Writes go through one lazily opened writer; a document is added after deleting any
earlier document with its id, in the same writer, so a re-add replaces. Into an index
that was empty when the writer opened (a rebuild), that delete is skipped for ids the
writer has not seen: it costs as much as indexing the document.
"""

from __future__ import annotations

import hashlib
import os
from base64 import b64encode
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import tantivy

from union.search.documents import SearchDocument
from union.search.engine import FacetValue, Hit, IndexBusy, SearchQuery, SearchResults, Sort
from union.search.facet_cache import BrowseFacets
from union.search.fields import (
    DISPLAY,
    FACET_FIELDS,
    FIELD_BOOSTS,
    ID,
    ISBN,
    SUBJECT_HEADING,
    TEXT_FIELDS,
    TITLE_KEY,
    TITLE_SORT,
    WORDS,
    YEAR,
    YEAR_RANGES,
    IndexedDocument,
    filter_fields,
    prepare,
)
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
from union.search.typos import one_edit_variants, run_search, within_one_edit

__all__ = ["TantivyEngine"]

LAYOUT_VERSION = 3  # 2: the subject facet counts main headings; 3: by number
_TITLE_KEY_BOOST = 5.0
_DISMAX_TIE_BREAKER = 0.1
# Each segment's values offered per facet: all of them (tantivy's largest size), so that
# the merged counts are exact.
_ALL_VALUES = 2**32 - 1
# The year ranges as a range aggregation ("to" is exclusive there).
_YEAR_AGGREGATION = {
    "range": {
        "field": YEAR,
        "ranges": [
            {"key": r.label}
            | ({} if r.low is None else {"from": r.low})
            | ({} if r.high is None else {"to": r.high + 1})
            for r in YEAR_RANGES
        ],
    }
}
_Q = tantivy.Query
# The subject facet is counted over a number per main heading: tantivy turns every
# counted value of a text column back into its text through the column's dictionary
# (microseconds each), and a search matching a thousand works has about as many
# headings. Only the few shown are named, from a document that has them.
_SUBJECT = FACET_FIELDS["subject"]
_SUBJECT_ID = "f_subject_id"
_SUBJECT_LABELS_KEPT = 200_000
# Works without a year come last either way (tantivy orders missing values last).
_SORTS = {
    Sort.YEAR_ASC: (YEAR, tantivy.Order.Asc),
    Sort.YEAR_DESC: (YEAR, tantivy.Order.Desc),
    Sort.TITLE: (TITLE_SORT, tantivy.Order.Asc),
}


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field(ID, stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace")
    # Only membership matters for these: no positions or frequencies to store.
    builder.add_text_field(WORDS, tokenizer_name="whitespace", index_option="basic")
    builder.add_text_field(TITLE_KEY, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(ISBN, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(TITLE_SORT, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_integer_field(YEAR, indexed=True, fast=True)
    for name in FACET_FIELDS.values():
        if name != _SUBJECT:
            builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
    builder.add_text_field(_SUBJECT, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field(_SUBJECT_ID, indexed=True, fast=True)
    builder.add_text_field(SUBJECT_HEADING, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field(DISPLAY, stored=True)
    return builder.build()


class TantivyEngine:
    """A tantivy index in ``directory`` (created if missing, reopened if present).

    ``writer_heap`` is the indexing memory budget in bytes, ``writer_threads`` the
    number of indexing threads (0: tantivy decides).
    """

    def __init__(
        self, directory: str | Path, *, writer_heap: int = 256_000_000, writer_threads: int = 0
    ) -> None:
        self.directory = claim_directory(directory, "tantivy", LAYOUT_VERSION)
        self._schema = _schema()
        self._index = tantivy.Index(self._schema, path=str(self.directory), reuse=True)
        # The reader moves only when told (our commits, refresh()), so that whole-index
        # facet counts can be cached per generation of what searches see.
        self._index.config_reader(reload_policy="Manual")
        self._generation = 0
        self._browse_facets = BrowseFacets()
        self._subject_labels: dict[int, str] = {}
        self._writer: tantivy.IndexWriter | None = None
        self._fresh = False
        self._added: set[str] = set()
        self._writer_heap = writer_heap
        self._writer_threads = writer_threads
        self._facet_counter: ThreadPoolExecutor | None = None

    # -- writing ---------------------------------------------------------------------

    def _open_writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            try:
                self._writer = self._index.writer(self._writer_heap, self._writer_threads)
            except ValueError as error:
                if "LockBusy" not in str(error):
                    raise
                raise IndexBusy(f"{self.directory}: {error}") from error
            # Deleting by id before every add costs as much as indexing the document.
            # Into an index that was empty when the writer opened (a rebuild), only ids
            # this writer added can need replacing, so only those are deleted.
            self._reload()
            self._fresh = self._index.searcher().num_docs == 0
            self._added = set()
        return self._writer

    def add(self, docs: Iterable[SearchDocument]) -> None:
        """Index ``docs``, replacing documents with the same ids."""
        self.add_prepared(prepare(doc) for doc in docs)

    def add_prepared(self, docs: Iterable[IndexedDocument]) -> None:
        """Index documents already analyzed with :func:`~union.search.fields.prepare`,
        replacing those with the same ids."""
        self.add_encoded((doc.id, encode_document(doc)) for doc in docs)

    @staticmethod
    def encode_document(prepared: IndexedDocument) -> str:
        """:func:`encode_document`: what :meth:`add_encoded` takes (a bulk build encodes
        in worker processes)."""
        return encode_document(prepared)

    def add_encoded(self, docs: Iterable[tuple[str, str]], *, new_ids: bool = False) -> None:
        """Index (id, :func:`encode_document`) pairs, replacing documents with the same
        ids; ``new_ids`` promises that no id is indexed or repeated (a rebuild's works),
        so none is looked for or remembered."""
        writer = self._open_writer()
        for doc_id, encoded in docs:
            if not new_ids:
                if not self._fresh or doc_id in self._added:
                    writer.delete_documents_by_term(ID, doc_id)
                else:
                    self._added.add(doc_id)
            writer.add_json(encoded)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove the documents with these ids."""
        writer = self._open_writer()
        for doc_id in ids:
            writer.delete_documents_by_term(ID, doc_id)

    def commit(self) -> None:
        """Persist pending changes and make them visible to searches."""
        if self._writer is not None:
            self._writer.commit()
        self._reload()

    def refresh(self) -> None:
        """See changes committed by another process (another writer of this directory)."""
        self._reload()

    def _reload(self) -> None:
        self._index.reload()
        self._generation += 1

    def close(self) -> None:
        """Drop uncommitted changes, wait for merges and release the writer's lock."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer.wait_merging_threads()
            self._writer = None
            self._added.clear()

    def wait_merging_threads(self) -> None:
        """Let background segment merges finish (after a bulk build, before measuring)."""
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
            self._added.clear()
        self._reload()

    def size_bytes(self) -> int:
        """The index's size on disk."""
        return sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())

    # -- searching -------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Run ``query``; a query that finds nothing is retried with corrected words."""
        return run_search(query, lambda plan: self._execute(query, plan), self)

    def frequency(self, word: str) -> int:
        """How many documents contain the unstemmed, folded ``word`` (typo tolerance)."""
        return int(self._index.searcher().doc_freq(WORDS, word))

    def similar(self, word: str) -> list[str]:
        """Indexed words one edit from ``word`` (typo tolerance)."""
        searcher = self._index.searcher()
        variants = one_edit_variants(word)
        if variants is None:
            # A word of another script: the vocabulary of words sharing its first letter.
            vocabulary = dict(searcher.terms_with_prefix(WORDS, word[:1]))
        else:
            counts = ((variant, searcher.doc_freq(WORDS, variant)) for variant in variants)
            vocabulary = {variant: count for variant, count in counts if count}
        return within_one_edit(word, vocabulary, vocabulary.__getitem__)

    def _execute(self, query: SearchQuery, plan: Plan) -> SearchResults:
        searcher = self._index.searcher()
        matcher = self._translate(plan.root)
        scored = matcher
        if plan.title_key and query.sort is Sort.RELEVANCE:
            exact = _Q.term_query(self._schema, TITLE_KEY, plan.title_key)
            scored = _Q.boolean_query(
                [
                    (tantivy.Occur.Must, matcher),
                    (tantivy.Occur.Should, _Q.boost_query(exact, _TITLE_KEY_BOOST)),
                ]
            )
        counted = self._count_facets(searcher, matcher, plan, query) if query.facets else None
        total, page = self._page(searcher, scored, query)
        hits = []
        for score, address in page:
            fields = orjson.loads(searcher.doc(address)[DISPLAY][0])
            spans = highlight_spans(fields.get("title"), plan.highlight_terms)
            relevance = float(score) if query.sort is Sort.RELEVANCE else 0.0
            hits.append(Hit(fields["id"], relevance, fields, spans))
        facets = counted.result() if counted is not None else {}
        return SearchResults(total=total, hits=tuple(hits), facets=facets)

    def _count_facets(
        self, searcher: tantivy.Searcher, matcher: tantivy.Query, plan: Plan, query: SearchQuery
    ) -> Future[Mapping[str, tuple[FacetValue, ...]]]:
        """The query's facet counts, being counted on another thread."""
        if self._facet_counter is None:
            self._facet_counter = ThreadPoolExecutor(
                max_workers=os.cpu_count() or 1, thread_name_prefix="facets")
        count = partial(self._facets, searcher, matcher, query)
        if has_words(plan.root):
            return self._facet_counter.submit(count)
        return self._facet_counter.submit(
            self._browse_facets.get,
            self._generation, plan.root, query.facets, query.facet_limit, count,
        )

    def _page(
        self, searcher: tantivy.Searcher, matcher: tantivy.Query, query: SearchQuery
    ) -> tuple[int, list[tuple[Any, tantivy.DocAddress]]]:
        """The total count and this page's (order key, address) pairs."""
        # tantivy wants a positive limit; a count-only query asks for one hit and drops it.
        limit = max(query.limit, 1)
        if query.sort is Sort.RELEVANCE:
            found = searcher.search(matcher, limit, count=True, offset=query.offset)
        else:
            field, order = _SORTS[query.sort]
            found = searcher.search(
                matcher, limit, count=True, order_by_field=field, offset=query.offset, order=order
            )
        # tantivy's stub leaves out SearchResult.count (set when count=True).
        return found.count, (found.hits if query.limit else [])  # type: ignore[attr-defined]

    def _facets(
        self, searcher: tantivy.Searcher, matcher: tantivy.Query, query: SearchQuery
    ) -> dict[str, tuple[FacetValue, ...]]:
        # One request for every facet, so the query runs once for all of them.
        request: dict[str, Any] = {}
        for name in query.facets:
            if name == "year":
                request[name] = _YEAR_AGGREGATION
            else:
                request[name] = {
                    "terms": {
                        "field": _SUBJECT_ID if name == "subject" else FACET_FIELDS[name],
                        "size": query.facet_limit,
                        "segment_size": _ALL_VALUES,
                    }
                }
        answer = searcher.aggregate(matcher, request)
        if "subject" in answer:
            for bucket in answer["subject"]["buckets"]:
                bucket["key"] = self._subject_label(searcher, int(bucket["key"]))
        facets: dict[str, tuple[FacetValue, ...]] = {}
        for name in query.facets:
            buckets = answer[name]["buckets"]
            if name == "year":
                counts = {bucket["key"]: bucket["doc_count"] for bucket in buckets}
                facets[name] = tuple(
                    FacetValue(r.label, counts.get(r.label, 0)) for r in YEAR_RANGES
                )
            else:
                values = sorted(
                    (FacetValue(str(b["key"]), b["doc_count"]) for b in buckets),
                    key=lambda v: (-v.count, v.value),
                )
                facets[name] = tuple(values[: query.facet_limit])
        return facets

    def _subject_label(self, searcher: tantivy.Searcher, number: int) -> str:
        """The main heading counted as ``number``, read from a document that has it."""
        label = self._subject_labels.get(number)
        if label is None:
            [(_, address)] = searcher.search(
                _Q.term_query(self._schema, _SUBJECT_ID, number), 1).hits
            label = next(heading for heading in searcher.doc(address)[_SUBJECT]
                         if subject_number(heading) == number)
            if len(self._subject_labels) >= _SUBJECT_LABELS_KEPT:
                self._subject_labels.clear()
            self._subject_labels[number] = label
        return label

    # -- the query tree in tantivy's terms ----------------------------------------------

    def _translate(self, node: Node) -> tantivy.Query:
        schema = self._schema
        if isinstance(node, Term):
            if node.field is not None:
                return _Q.term_query(schema, node.field, node.term)
            return self._any_field(lambda name: _Q.term_query(schema, name, node.term))
        if isinstance(node, Phrase):
            if len(node.terms) == 1:
                return self._translate(Term(node.field, node.terms[0], node.terms[0]))
            # Typed as phrase_query takes them (words or (offset, word) pairs).
            words: list[str | tuple[int, str]] = list(node.terms)
            if node.field is not None:
                return _Q.phrase_query(schema, node.field, words)
            return self._any_field(lambda name: _Q.phrase_query(schema, name, words))
        if isinstance(node, And):
            must = [self._translate(c) for c in node.children if not isinstance(c, Not)]
            must_not = [self._translate(c.child) for c in node.children if isinstance(c, Not)]
            clauses = [(tantivy.Occur.Must, q) for q in must or [_Q.all_query()]]
            clauses += [(tantivy.Occur.MustNot, q) for q in must_not]
            return _Q.boolean_query(clauses)
        if isinstance(node, Or):
            return _Q.boolean_query(
                [(tantivy.Occur.Should, self._translate(c)) for c in node.children]
            )
        if isinstance(node, Not):
            return _Q.boolean_query(
                [
                    (tantivy.Occur.Must, _Q.all_query()),
                    (tantivy.Occur.MustNot, self._translate(node.child)),
                ]
            )
        if isinstance(node, YearBetween):
            if node.low is None and node.high is None:
                return _Q.exists_query(YEAR)
            return _Q.range_query(schema, YEAR, tantivy.FieldType.Integer, node.low, node.high)
        if isinstance(node, IsbnIs):
            return _Q.term_query(schema, ISBN, node.isbn)
        if isinstance(node, FacetIn):
            return _Q.boolean_query(
                [(tantivy.Occur.Should, _Q.term_set_query(schema, name, list(node.values)))
                 for name in filter_fields(node.facet)]
            )
        if isinstance(node, MatchAll):
            return _Q.all_query()
        if isinstance(node, MatchNone):
            return _Q.empty_query()
        raise TypeError(f"unknown query node {node!r}")

    def _any_field(self, build: Any) -> tantivy.Query:
        return _Q.disjunction_max_query(
            [_Q.boost_query(build(name), boost) for name, boost in FIELD_BOOSTS.items()],
            tie_breaker=_DISMAX_TIE_BREAKER,
        )


def encode_document(prepared: IndexedDocument) -> str:
    """The document as the JSON text the writer's ``add_json`` parses (in Rust): about
    three times cheaper than building a ``tantivy.Document`` field by field, and a string
    crosses process boundaries cheaply. The display blob is a bytes field: base64."""
    fields: dict[str, Any] = {
        ID: prepared.id,
        TITLE_SORT: prepared.title_sort,
        DISPLAY: b64encode(prepared.display_json.encode()).decode("ascii"),
    }
    for name, text in prepared.text.items():
        if text:
            fields[name] = text
    if prepared.words:
        fields[WORDS] = prepared.words
    if prepared.title_key:
        fields[TITLE_KEY] = prepared.title_key
    if prepared.isbns:
        fields[ISBN] = prepared.isbns
    if prepared.year is not None:
        fields[YEAR] = prepared.year
    for name, values in prepared.facets.items():
        if values:
            fields[name] = values
    subjects = prepared.facets.get(_SUBJECT)
    if subjects:
        fields[_SUBJECT_ID] = [subject_number(heading) for heading in subjects]
    return orjson.dumps(fields).decode()


def subject_number(heading: str) -> int:
    """The number a main heading is counted as: 52 bits of its hash, which a facet
    answer carries exactly (tantivy passes it through a float). Two of a catalogue's
    100,000 main headings share one with a chance of about one in a million; their counts
    would then be added together, while filters, which match the text, stay exact."""
    digest = hashlib.blake2b(heading.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 12
