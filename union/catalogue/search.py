"""Searching the catalogue: request parameters to an engine query, and results to a page.

Free of HTTP: the JSON API and the HTML pages both hand their query-string pairs to
:func:`parse_search` and show what :func:`run_search` returns.

Parameters (every one optional; filters may repeat, values of one filter are
alternatives, different filters must all hold):

``q``
    the patron's query (see :mod:`union.search.query`); blank browses everything.
``page`` / ``per_page``, or ``offset`` / ``limit``
    paging (``offset``/``limit``, when given, win over ``page``/``per_page``: an
    OpenAPI document cannot forbid the mix); ``per_page``/``limit`` at most
    :data:`MAX_PER_PAGE`,
    ``page`` at most :data:`MAX_PAGE`, ``offset`` at most :data:`MAX_OFFSET`.
``sort``
    ``relevance`` (default), ``year`` (newest first), ``year_asc`` (oldest first),
    ``title``.
``branch``, ``language``, ``format``, ``subject``
    facet values (branch codes, MARC language codes, formats, subject headings).
``available``
    ``true`` (a copy on the shelf in any branch) or a branch code (on the shelf there).
``year``
    a year or range (:data:`YEAR_PATTERN`): ``1998``, ``1970-1999``, ``-1969``, ``2010-``.
``year_from``, ``year_to``
    inclusive bounds of the year of publication. A backward range (``2000-1990``, or
    ``year_from`` after ``year_to``) holds no year, so it matches nothing: it is not an
    error, since a valid-looking request should get an answer.
``local``
    ``true`` or ``false``: works about the federation's own region, or not.
``facets``
    comma-separated facet names to count (default: all); ``none`` for none.
``facet_limit``
    how many values of each facet to return (default 20, at most 100).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from union.catalogue.errors import BadParameter
from union.search.engine import SearchEngine, SearchQuery, Sort
from union.search.fields import ANY_BRANCH, FACETS
from union.search.query import QuerySyntaxError, parse_query, parse_year_range

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_FACET_LIMIT",
    "MAX_OFFSET",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "MAX_YEAR",
    "NO_FACETS",
    "PARAMETERS",
    "SORTS",
    "VALUE_PATTERN",
    "YEAR_PATTERN",
    "FacetCount",
    "SearchPage",
    "SearchResult",
    "parse_search",
    "run_search",
]

DEFAULT_PER_PAGE = 20
#: The most results one page may hold.
MAX_PER_PAGE = 100
#: The furthest ``offset`` and the last ``page``: deep paging costs the engine, and no
#: patron reads that far.
MAX_OFFSET = 10_000
MAX_PAGE = 500
MAX_FACET_LIMIT = 100
#: The latest year a year bound may name.
MAX_YEAR = 9999
#: A ``year`` filter value: a year, or a range open at either end.
YEAR_PATTERN = r"^([0-9]{1,4}|[0-9]{1,4}-[0-9]{0,4}|-[0-9]{1,4})$"
#: Accepted ``sort`` values and the engine order each means.
SORTS: Mapping[str, Sort] = {
    "relevance": Sort.RELEVANCE,
    "year": Sort.YEAR_DESC,
    "year_asc": Sort.YEAR_ASC,
    "title": Sort.TITLE,
}
_TERM_FILTERS = ("branch", "language", "format", "subject")
_SINGLE = (
    "q", "page", "per_page", "offset", "limit", "sort", "year_from", "year_to", "local",
    "facets", "facet_limit",
)
#: Every parameter :func:`parse_search` reads.
PARAMETERS: tuple[str, ...] = (*_SINGLE, *_TERM_FILTERS, "available", "year")
_MAX_VALUE_LENGTH = 500
# What a filter value may not consist of alone, and what is trimmed off its ends: the
# same set as VALUE_PATTERN's, so the OpenAPI document and this code agree exactly.
_BLANK = " \t\n\r"
#: A filter value has something besides blanks.
VALUE_PATTERN = "[^ \t\n\r]"
_YEAR_VALUE = re.compile(YEAR_PATTERN)
_EMPTY_YEARS = (1, 0)
#: The ``facets`` value that asks for no facet counts.
NO_FACETS = "none"
_ANY_BRANCH_LABEL = "Di cabang mana pun / in any branch"


@dataclass(frozen=True, slots=True)
class FacetCount:
    """One facet value, how many matching works have it, and its label for people
    (a branch's name; None where the value speaks for itself)."""

    value: str
    count: int
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One work in a result page: its id, title, the stored display fields (authors,
    year, branches, available_branches, ...) and the matched character ranges of the
    title."""

    id: int | str
    title: str
    fields: Mapping[str, Any]
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SearchPage:
    """A page of results for a :class:`SearchQuery`."""

    total: int
    offset: int
    limit: int
    results: tuple[SearchResult, ...]
    facets: Mapping[str, tuple[FacetCount, ...]] = field(default_factory=dict)
    corrections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def page(self) -> int:
        """The 1-based page number (pages of ``limit`` results)."""
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def pages(self) -> int:
        """How many pages the matches fill (at most up to :data:`MAX_OFFSET`)."""
        if not self.limit:
            return 0
        reachable = min(self.total, MAX_OFFSET + self.limit)
        return -(-reachable // self.limit)


def _grouped(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return grouped


def _single(params: Mapping[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(name, "hanya boleh diberikan sekali", "may be given only once")
    return values[0]


def _integer(params: Mapping[str, list[str]], name: str, low: int, high: int) -> int | None:
    text = _single(params, name)
    if text is None:
        return None
    try:
        value = int(text.strip())
    except ValueError:
        raise BadParameter(name, f"harus bilangan bulat, bukan {text!r}",
                           f"must be a whole number, not {text!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"harus antara {low} dan {high}",
                           f"must be between {low} and {high}")
    return value


def _boolean(text: str, name: str) -> bool:
    if text in ("true", "false"):
        return text == "true"
    raise BadParameter(name, f"harus true atau false, bukan {text!r}",
                       f"must be true or false, not {text!r}")


def _values(params: Mapping[str, list[str]], name: str) -> list[str]:
    values = params.get(name, [])
    for value in values:
        if len(value) > _MAX_VALUE_LENGTH:
            raise BadParameter(name, f"lebih dari {_MAX_VALUE_LENGTH} karakter",
                               f"longer than {_MAX_VALUE_LENGTH} characters")
        if not value.strip(_BLANK):
            raise BadParameter(name, "tidak boleh kosong", "must not be empty")
    return list(dict.fromkeys(value.strip(_BLANK) for value in values))


def _branch_codes(values: list[str], name: str, branches: Collection[str]) -> list[str]:
    for value in values:
        if value not in branches:
            raise BadParameter(name, f"cabang {value!r} tidak dikenal; cabang: "
                               f"{', '.join(branches)}",
                               f"unknown branch {value!r}; branches are {', '.join(branches)}")
    return values


def _paging(params: Mapping[str, list[str]]) -> tuple[int, int]:
    page = _integer(params, "page", 1, MAX_PAGE)
    per_page = _integer(params, "per_page", 1, MAX_PER_PAGE)
    offset = _integer(params, "offset", 0, MAX_OFFSET)
    limit = _integer(params, "limit", 0, MAX_PER_PAGE)
    size = limit if limit is not None else per_page or DEFAULT_PER_PAGE
    return (offset if offset is not None else ((page or 1) - 1) * size), size


def _facets(params: Mapping[str, list[str]]) -> tuple[str, ...]:
    text = _single(params, "facets")
    if text is None:
        return FACETS
    names = text.split(",")
    for name in names:
        if name not in FACETS and name != NO_FACETS:
            raise BadParameter("facets", f"facet {name!r} tidak dikenal; facet: "
                               f"{', '.join(FACETS)}, atau {NO_FACETS}",
                               f"unknown facet {name!r}; facets are {', '.join(FACETS)}, "
                               f"or {NO_FACETS}")
    return tuple(dict.fromkeys(name for name in names if name != NO_FACETS))


def _filters(params: Mapping[str, list[str]], branches: Collection[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for name in _TERM_FILTERS:
        values = _values(params, name)
        if values:
            filters[name] = _branch_codes(values, name, branches) if name == "branch" else values
    available = []
    for value in _values(params, "available"):
        if value == "true":
            available.append(ANY_BRANCH)
        else:
            available.extend(_branch_codes([value], "available", branches))
    if available:
        filters["available"] = list(dict.fromkeys(available))
    years = _values(params, "year")
    for value in years:
        if not _YEAR_VALUE.match(value):
            raise BadParameter("year", f"harus tahun atau rentang seperti 1990-2000, bukan "
                               f"{value!r}", f"must be a year or a range such as 1990-2000, "
                               f"not {value!r}")
    if years:
        filters["year"] = years
    local = _single(params, "local")
    if local is not None:
        filters["local"] = ["true" if _boolean(local, "local") else "false"]
    return filters


def _backward(value: str) -> bool:
    try:
        parse_year_range(value)
    except QuerySyntaxError:
        return True
    return False


def parse_search(pairs: Iterable[tuple[str, str]], branches: Collection[str]) -> SearchQuery:
    """The engine query for these request parameters (name, value pairs; see the module
    docstring). ``branches`` are the federation's branch codes. Raises
    :class:`BadParameter` for the first parameter that is malformed."""
    params = _grouped(pairs)
    text = _single(params, "q") or ""
    try:
        parse_query(text)
    except QuerySyntaxError as error:
        raise BadParameter("q", f"kueri tidak dapat dipahami: {error}",
                           f"the query cannot be understood: {error}") from None
    # An empty ``sort=`` is not a sort the API document offers: refused, not defaulted.
    sort_text = _single(params, "sort")
    sort_text = "relevance" if sort_text is None else sort_text
    if sort_text not in SORTS:
        raise BadParameter("sort", f"harus salah satu dari {', '.join(SORTS)}",
                           f"must be one of {', '.join(SORTS)}")
    year_from = _integer(params, "year_from", 0, MAX_YEAR)
    year_to = _integer(params, "year_to", 0, MAX_YEAR)
    offset, limit = _paging(params)
    facet_limit = _integer(params, "facet_limit", 1, MAX_FACET_LIMIT)
    filters = _filters(params, branches)
    if "year" in filters:
        # A backward range holds no year: it matches nothing, like year_from > year_to.
        forward = [value for value in filters["year"] if not _backward(value)]
        if forward:
            filters["year"] = forward
        else:
            del filters["year"]
            year_from, year_to = _EMPTY_YEARS
    return SearchQuery(
        query=text,
        filters=filters,
        year_from=year_from,
        year_to=year_to,
        sort=SORTS[sort_text],
        offset=offset,
        limit=limit,
        facets=_facets(params),
        facet_limit=facet_limit or 20,
    )


def _work_id(value: str) -> int | str:
    """Work ids are integers in the store; the index keeps them as text."""
    return int(value) if value.isdecimal() else value


def run_search(engine: SearchEngine, query: SearchQuery,
               branch_names: Mapping[str, str]) -> SearchPage:
    """Run ``query`` and label its facets (``branch_names``: code -> name)."""
    found = engine.search(query)
    results = tuple(
        SearchResult(
            id=_work_id(hit.id),
            title=str(hit.fields.get("title", "")),
            fields={k: v for k, v in hit.fields.items() if k not in ("id", "title")},
            highlights=hit.highlights,
        )
        for hit in found.hits
    )
    facets = {}
    for name, values in found.facets.items():
        labelled = []
        for entry in values:
            label = None
            if name in ("branch", "available"):
                label = (_ANY_BRANCH_LABEL if entry.value == ANY_BRANCH
                         else branch_names.get(entry.value))
            labelled.append(FacetCount(entry.value, entry.count, label))
        facets[name] = tuple(labelled)
    return SearchPage(
        total=found.total,
        offset=query.offset,
        limit=query.limit,
        results=results,
        facets=facets,
        corrections=found.corrections,
    )
