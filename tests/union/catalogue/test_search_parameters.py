"""Search parameters become one engine query, or a clear bilingual error naming the
parameter (pure: no engine needed)."""

from __future__ import annotations

import pytest

from union.catalogue import BadParameter, parse_search
from union.catalogue.search import DEFAULT_PER_PAGE, MAX_OFFSET, MAX_PAGE, MAX_PER_PAGE
from union.search.engine import SearchQuery, Sort
from union.search.fields import ANY_BRANCH, FACETS

BRANCHES = ("KOTA", "DESA1", "DESA2")


def parse(*pairs: tuple[str, str]) -> SearchQuery:
    return parse_search(pairs, BRANCHES)


def rejected(*pairs: tuple[str, str]) -> BadParameter:
    with pytest.raises(BadParameter) as caught:
        parse(*pairs)
    return caught.value


def test_no_parameters_browse_everything_with_every_facet() -> None:
    query = parse()
    assert (query.query, query.offset, query.limit) == ("", 0, DEFAULT_PER_PAGE)
    assert query.sort is Sort.RELEVANCE
    assert query.facets == FACETS
    assert query.filters == {}


def test_page_and_per_page_become_offset_and_limit() -> None:
    query = parse(("page", "3"), ("per_page", "10"))
    assert (query.offset, query.limit) == (20, 10)


def test_offset_and_limit_are_taken_as_they_are() -> None:
    query = parse(("offset", "7"), ("limit", "0"))
    assert (query.offset, query.limit) == (7, 0)


def test_offset_and_limit_win_over_page_and_per_page() -> None:
    first = parse(("page", "2"), ("per_page", "50"), ("offset", "3"))
    assert (first.offset, first.limit) == (3, 50)
    second = parse(("page", "3"), ("per_page", "50"), ("limit", "10"))
    assert (second.offset, second.limit) == (20, 10)


@pytest.mark.parametrize(("name", "value"), [
    ("page", "0"), ("page", str(MAX_PAGE + 1)), ("page", "dua"),
    ("per_page", "0"), ("per_page", str(MAX_PER_PAGE + 1)),
    ("offset", "-1"), ("offset", str(MAX_OFFSET + 1)), ("limit", "1.5"),
    ("facet_limit", "0"), ("year_from", "tahun"), ("year_to", "10000"),
])
def test_paging_and_bounds_out_of_range_name_the_parameter(name: str, value: str) -> None:
    problem = rejected((name, value))
    assert problem.parameter == name
    assert problem.message_id and problem.message_en
    assert problem.message_id != problem.message_en


@pytest.mark.parametrize(("value", "order"), [
    ("relevance", Sort.RELEVANCE), ("year", Sort.YEAR_DESC), ("year_asc", Sort.YEAR_ASC),
    ("title", Sort.TITLE),
])
def test_sort_names_an_order(value: str, order: Sort) -> None:
    assert parse(("sort", value)).sort is order


def test_an_unknown_sort_lists_the_sorts() -> None:
    problem = rejected(("sort", "popularity"))
    assert problem.parameter == "sort"
    assert "relevance" in problem.message_en and "relevance" in problem.message_id


def test_an_empty_sort_is_refused_as_the_api_document_says() -> None:
    assert rejected(("sort", "")).parameter == "sort"


def test_no_sort_is_relevance() -> None:
    assert parse(("q", "sejarah")).sort is Sort.RELEVANCE


def test_repeated_filters_are_alternatives_and_different_filters_all_hold() -> None:
    query = parse(("branch", "KOTA"), ("branch", "DESA1"), ("language", "ind"),
                  ("format", "book"), ("subject", "Sejarah"))
    assert query.filters == {"branch": ["KOTA", "DESA1"], "language": ["ind"],
                             "format": ["book"], "subject": ["Sejarah"]}


def test_an_unknown_branch_is_refused_with_the_known_ones() -> None:
    problem = rejected(("branch", "DESA9"))
    assert problem.parameter == "branch"
    assert "KOTA" in problem.message_en


def test_available_true_means_any_branch_and_a_code_means_that_branch() -> None:
    assert parse(("available", "true")).filters == {"available": [ANY_BRANCH]}
    assert parse(("available", "DESA2")).filters == {"available": ["DESA2"]}
    assert rejected(("available", "yes")).parameter == "available"


def test_local_is_true_or_false() -> None:
    assert parse(("local", "true")).filters == {"local": ["true"]}
    assert parse(("local", "false")).filters == {"local": ["false"]}
    assert rejected(("local", "maybe")).parameter == "local"


@pytest.mark.parametrize("value", ["1998", "1970-1999", "-1969", "2010-"])
def test_year_filters_are_years_or_ranges(value: str) -> None:
    assert parse(("year", value)).filters == {"year": [value]}


@pytest.mark.parametrize("value", ["199x", "1990..2000", "-", "12345", "1990 - 2000"])
def test_malformed_year_ranges_are_refused(value: str) -> None:
    assert rejected(("year", value)).parameter == "year"


def test_year_bounds_are_taken_as_they_are() -> None:
    query = parse(("year_from", "1990"), ("year_to", "2000"))
    assert (query.year_from, query.year_to) == (1990, 2000)


def test_a_backward_year_range_among_others_is_dropped() -> None:
    query = parse(("year", "2000-1990"), ("year", "1995"))
    assert query.filters == {"year": ["1995"]}
    assert (query.year_from, query.year_to) == (None, None)


def test_facets_name_what_to_count_and_none_counts_nothing() -> None:
    assert parse(("facets", "branch,year")).facets == ("branch", "year")
    assert parse(("facets", "none")).facets == ()
    assert rejected(("facets", "")).parameter == "facets"
    problem = rejected(("facets", "branch,colour"))
    assert problem.parameter == "facets" and "colour" in problem.message_en


def test_a_query_that_cannot_be_understood_names_q() -> None:
    problem = rejected(("q", "x" * 1001))
    assert problem.parameter == "q"


def test_a_single_parameter_given_twice_is_refused() -> None:
    assert rejected(("sort", "year"), ("sort", "title")).parameter == "sort"


def test_blank_filter_values_are_refused() -> None:
    assert rejected(("subject", "  ")).parameter == "subject"


def test_only_spaces_tabs_and_line_breaks_count_as_blank() -> None:
    assert parse(("format", "\x1c")).filters == {"format": ["\x1c"]}
    assert parse(("subject", " Sejarah\t")).filters == {"subject": ["Sejarah"]}
