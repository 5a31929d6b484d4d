"""Search: the Indonesian analyzer, the patron query language, and the engines behind one
narrow interface.

    engine = open_engine("tantivy", "/var/lib/union/index")
    engine.add(documents)
    engine.commit()
    results = engine.search(SearchQuery("pengarang:toer bumi", facets=("branch",)))

Module map: :mod:`~union.search.analysis` (text to terms), :mod:`~union.search.query`
(patron text to a tree, :mod:`~union.search.tree`), :mod:`~union.search.documents` and
:mod:`~union.search.fields` (what is indexed), :mod:`~union.search.engine` (the
interface), :mod:`~union.search.plan` and :mod:`~union.search.typos` (what every engine
runs), :mod:`~union.search.tantivy_engine` (the default) and
:mod:`~union.search.whoosh_engine` (pure-Python fallback).
"""

from union.search.analysis import analyze
from union.search.documents import SearchDocument, document_from_bib
from union.search.engine import (
    ENGINES,
    FacetValue,
    Hit,
    SearchEngine,
    SearchQuery,
    SearchResults,
    Sort,
    open_engine,
)
from union.search.fields import ANY_BRANCH, FACETS, YEAR_RANGES
from union.search.layout import IndexLayoutError
from union.search.query import QuerySyntaxError, parse_query

__all__ = [
    "ANY_BRANCH",
    "ENGINES",
    "FACETS",
    "YEAR_RANGES",
    "FacetValue",
    "Hit",
    "IndexLayoutError",
    "QuerySyntaxError",
    "SearchDocument",
    "SearchEngine",
    "SearchQuery",
    "SearchResults",
    "Sort",
    "analyze",
    "document_from_bib",
    "open_engine",
    "parse_query",
]
