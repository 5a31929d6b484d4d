"""The bundled demo catalogue (560 real LoC records of four branches) harvested with
``union harvest``, which leaves the search index in step; searched through that index:
the local-content facet, fielded queries, phrases, exact title and ISBN lookups, boolean
operators, old spelling and typos. Expectations are read from the store's works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.federation import harvest_demo_catalogue
from union.config import Federation
from union.local_content import LocalMatcher
from union.search.engine import SearchEngine, SearchQuery, open_engine
from union.search.live_index import read_cursor
from union.store.engine import Store
from union.store.models import ChangeRow, WorkRow

ALL = 1000


@pytest.fixture(scope="module")
def federation(tmp_path_factory: pytest.TempPathFactory) -> Federation:
    """The demo catalogue harvested (and indexed) into a folder of this module's own."""
    return harvest_demo_catalogue(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def works(federation: Federation) -> dict[str, dict[str, Any]]:
    """Every live work's display record, by id as the index names it."""
    store = Store(federation.union.database)
    try:
        with store.read() as session:
            rows = session.execute(select(WorkRow.id, WorkRow.display)
                                   .where(WorkRow.status == "live"))
            return {str(wid): display for wid, display in rows}
    finally:
        store.dispose()


@pytest.fixture(scope="module")
def engine(federation: Federation) -> Iterator[SearchEngine]:
    engine = open_engine(federation.union.search_engine, federation.union.index)
    yield engine
    engine.close()


def ids(engine: SearchEngine, query: str, **options: Any) -> list[str]:
    return [hit.id for hit in engine.search(SearchQuery(query, limit=ALL, **options)).hits]


def titled(works: dict[str, dict[str, Any]], title: str) -> str:
    """The id of the one work with this title."""
    (found,) = [wid for wid, display in works.items() if display["title"] == title]
    return found


def test_harvest_leaves_every_live_work_indexed_up_to_the_last_change(
        federation: Federation, works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    assert sorted(ids(engine, "")) == sorted(works)
    store = Store(federation.union.database)
    try:
        with store.read() as session:
            assert read_cursor(federation.union.index) == session.scalar(
                select(func.max(ChangeRow.seq)))
    finally:
        store.dispose()


def test_the_home_page_local_facet_counts_the_local_history_collection(
        federation: Federation, works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    matcher = LocalMatcher(federation.local)
    local = {wid for wid, display in works.items() if matcher.is_local(display)}
    results = engine.search(SearchQuery("", facets=("local",), limit=0))
    assert results.facet_counts("local")["true"] == len(local) == 8
    assert set(ids(engine, "", filters={"local": ["true"]})) == local


def test_the_local_history_collection_is_the_city_librarys(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("", filters={"local": ["true"]}, facets=("branch",)))
    assert results.facet_counts("branch")["KOTA"] == 8


def test_branch_facet_counts_every_branch_holding(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    expected: dict[str, int] = {}
    for display in works.values():
        for code in display["branches"]:
            expected[code] = expected.get(code, 0) + 1
    results = engine.search(SearchQuery("", facets=("branch",), limit=0))
    assert results.facet_counts("branch") == expected


def test_copies_without_a_status_are_available_now(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("", facets=("available",), limit=0))
    assert results.facet_counts("available")["*"] == len(works)


def test_an_isbn_finds_exactly_its_work(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    work = titled(works, "Tata bahasa Melayu Jambi")
    assert ids(engine, "isbn:9789794590096") == [work]
    assert ids(engine, "978-979-459-009-6") == [work]


def test_an_exact_title_comes_first(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    assert ids(engine, "tata bahasa melayu jambi")[0] == titled(works, "Tata bahasa Melayu Jambi")


def test_a_title_phrase_finds_only_titles_with_the_words_together(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    found = ids(engine, 'judul:"tata bahasa"')
    assert titled(works, "Tata bahasa Melayu Jambi") in found
    assert all("tata bahasa" in works[wid]["title"].lower() for wid in found)


def test_an_author_query_finds_the_authors_works(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    by_gani = {wid for wid, d in works.items()
               if any("Gani" in agent["name"].split(", ")[0] for agent in d["agents"])}
    assert titled(works, "Tata bahasa Melayu Jambi") in by_gani
    assert set(ids(engine, "pengarang:gani")) == set(ids(engine, "author:gani")) == by_gani


def test_a_publisher_query_searches_publishers_only(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    found = ids(engine, "penerbit:gapensi")
    assert found == [titled(works, "Sejarah GAPENSI")]


def test_a_year_range_keeps_only_works_of_those_years(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    found = ids(engine, "sejarah tahun:1997-1998")
    assert titled(works, "Sejarah GAPENSI") in found
    assert all(1997 <= works[wid]["year"] <= 1998 for wid in found)


def test_not_excludes_and_or_includes(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    gapensi, jambi = titled(works, "Sejarah GAPENSI"), titled(works, "Tata bahasa Melayu Jambi")
    assert gapensi not in ids(engine, "sejarah NOT gapensi")
    assert gapensi in ids(engine, "sejarah")
    assert {gapensi, jambi} <= set(ids(engine, "gapensi OR jambi"))
    assert ids(engine, "gapensi AND jambi") == []


def test_old_spelling_finds_the_new(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    assert titled(works, "Tata bahasa Melayu Jambi") in ids(engine, "Djambi")


def test_a_typo_is_corrected_and_said(
        works: dict[str, dict[str, Any]], engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("sejarh gapensi"))
    assert [hit.id for hit in results.hits] == [titled(works, "Sejarah GAPENSI")]
    assert results.corrections == {"sejarh": ("sejarah",)}
