"""The live index follows the store's change log: works harvested, changed, merged and
deleted by the real clusterer (real LoC records, on SQLite and PostgreSQL) reach a real
tantivy index; its cursor lives in the index directory, so each node keeps its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.union.works.conftest import Catalogue, branch_copy, loc_record
from union.config import LocalContent
from union.local_content import LocalMatcher
from union.search.engine import SearchEngine, SearchQuery, open_engine
from union.search.fields import FACETS, prepare
from union.search.live_index import CURSOR_FILE, LiveIndex, read_cursor, rebuild_index
from union.search.tantivy_engine import TantivyEngine
from union.search.work_documents import work_document
from union.store.engine import Store
from union.store.models import ChangeRow, WorkRow

MATCHER = LocalMatcher(LocalContent(places=("Sumatera Selatan",)))


@pytest.fixture
def catalogue(store: Store) -> Catalogue:
    """An empty catalogue of the demo federation's four branches."""
    return Catalogue(store)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[SearchEngine]:
    """An empty tantivy index in the node's index directory."""
    engine = open_engine("tantivy", tmp_path / "index")
    yield engine
    engine.close()


def live(engine: SearchEngine, store: Store, tmp_path: Path, batch: int = 100) -> LiveIndex:
    return LiveIndex(engine, tmp_path / "index", store, MATCHER, batch=batch)


def indexed(engine: SearchEngine) -> dict[str, str]:
    """Every indexed work: id -> title."""
    results = engine.search(SearchQuery("", limit=1000))
    return {hit.id: hit.fields["title"] for hit in results.hits}


def last_seq(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.max(ChangeRow.seq))) or 0


def harvest(catalogue: Catalogue, count: int) -> None:
    catalogue.ingest("KOTA", *(branch_copy(loc_record(n), "KOTA", f"K{n}") for n in range(count)))
    catalogue.update()


def test_catching_up_indexes_every_live_work(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 5)
    report = live(engine, catalogue.store, tmp_path).catch_up()
    assert set(indexed(engine)) == {str(wid) for wid in catalogue.works()}
    assert report.added == 5
    assert report.cursor == read_cursor(tmp_path / "index") == last_seq(catalogue.store)


def test_a_changed_title_is_searchable_after_the_next_catch_up(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 3)
    index = live(engine, catalogue.store, tmp_path)
    index.catch_up()
    catalogue.tick()
    catalogue.ingest("KOTA", branch_copy(loc_record(1), "KOTA", "K1",
                                         title="Sejarah perkebunan karet Musi"))
    catalogue.update()
    index.catch_up()
    work = str(catalogue.work_of("KOTA:K1"))
    assert [hit.id for hit in engine.search(SearchQuery("perkebunan karet")).hits] == [work]
    assert indexed(engine)[work] == "Sejarah perkebunan karet Musi"
    assert len(indexed(engine)) == 3


def test_a_deleted_work_leaves_the_index(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 3)
    index = live(engine, catalogue.store, tmp_path)
    index.catch_up()
    gone = str(catalogue.work_of("KOTA:K2"))
    catalogue.tick()
    catalogue.delete("KOTA", "K2")
    catalogue.update()
    report = index.catch_up()
    assert gone not in indexed(engine)
    assert len(indexed(engine)) == 2
    assert report.deleted == 1


def test_a_merged_work_leaves_only_its_survivor_holding_both_branches(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    # The village copy is typed with another title at first: two works.
    catalogue.ingest("KOTA", branch_copy(loc_record(7), "KOTA", "K7"))
    catalogue.ingest("DESA1", branch_copy(loc_record(7), "DESA1", "D7", keep_lccn=False,
                                          title="Judul yang salah ketik sama sekali"))
    catalogue.update()
    index = live(engine, catalogue.store, tmp_path)
    index.catch_up()
    assert len(indexed(engine)) == 2
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(loc_record(7), "DESA1", "D7"))
    catalogue.update()
    index.catch_up()
    survivor = catalogue.work_of("KOTA:K7")
    assert survivor == catalogue.work_of("DESA1:D7")
    results = engine.search(SearchQuery("", facets=("branch",)))
    assert [hit.id for hit in results.hits] == [str(survivor)]
    assert results.facet_counts("branch") == {"KOTA": 1, "DESA1": 1}


def test_catching_up_again_with_nothing_new_changes_nothing(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 3)
    index = live(engine, catalogue.store, tmp_path)
    first = index.catch_up()
    again = index.catch_up()
    assert (again.added, again.deleted, again.cursor) == (0, 0, first.cursor)


def test_a_crash_between_engine_commit_and_cursor_write_reapplies_harmlessly(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 4)
    index = live(engine, catalogue.store, tmp_path)
    index.catch_up()
    before = indexed(engine)
    # What the directory holds after such a crash: the engine committed, the cursor not.
    (tmp_path / "index" / CURSOR_FILE).unlink()
    report = index.catch_up()
    assert report.added == 4
    assert indexed(engine) == before


def test_small_batches_move_the_cursor_batch_by_batch_to_the_same_index(
        catalogue: Catalogue, engine: SearchEngine, tmp_path: Path) -> None:
    harvest(catalogue, 7)
    report = live(engine, catalogue.store, tmp_path, batch=2).catch_up()
    assert report.added == 7
    assert set(indexed(engine)) == {str(wid) for wid in catalogue.works()}
    assert report.cursor == last_seq(catalogue.store)


def test_two_nodes_keep_their_own_index_and_cursor_over_one_store(
        catalogue: Catalogue, tmp_path: Path) -> None:
    harvest(catalogue, 3)
    first_dir, second_dir = tmp_path / "node1", tmp_path / "node2"
    first, second = open_engine("tantivy", first_dir), open_engine("tantivy", second_dir)
    try:
        LiveIndex(first, first_dir, catalogue.store, MATCHER).catch_up()
        catalogue.tick()
        catalogue.delete("KOTA", "K0")
        catalogue.update()
        assert len(indexed(first)) == 3
        LiveIndex(second, second_dir, catalogue.store, MATCHER).catch_up()
        assert len(indexed(second)) == 2
        assert read_cursor(first_dir) < read_cursor(second_dir)
        LiveIndex(first, first_dir, catalogue.store, MATCHER).catch_up()
        assert indexed(first) == indexed(second)
    finally:
        first.close()
        second.close()


def test_a_rebuild_replaces_an_index_of_another_engine(
        catalogue: Catalogue, tmp_path: Path) -> None:
    harvest(catalogue, 4)
    old = open_engine("whoosh", tmp_path / "index")
    old.close()
    report = rebuild_index("tantivy", tmp_path / "index", catalogue.store, MATCHER)
    engine = open_engine("tantivy", tmp_path / "index")
    try:
        assert set(indexed(engine)) == {str(wid) for wid in catalogue.works()}
        assert report.added == 4
        assert read_cursor(tmp_path / "index") == last_seq(catalogue.store)
    finally:
        engine.close()


def test_after_a_rebuild_catching_up_applies_only_later_changes(
        catalogue: Catalogue, tmp_path: Path) -> None:
    harvest(catalogue, 4)
    rebuild_index("tantivy", tmp_path / "index", catalogue.store, MATCHER)
    catalogue.tick()
    catalogue.delete("KOTA", "K3")
    catalogue.update()
    engine = open_engine("tantivy", tmp_path / "index")
    try:
        report = LiveIndex(engine, tmp_path / "index", catalogue.store, MATCHER).catch_up()
        assert (report.added, report.deleted) == (0, 1)
        assert len(indexed(engine)) == 3
    finally:
        engine.close()


def test_documents_analyzed_in_advance_index_like_whole_ones(
        catalogue: Catalogue, tmp_path: Path) -> None:
    harvest(catalogue, 3)
    with catalogue.store.read() as session:
        rows = session.execute(select(WorkRow.id, WorkRow.display)).all()
    docs = [work_document(wid, display, MATCHER) for wid, display in rows]
    whole, prepared = TantivyEngine(tmp_path / "whole"), TantivyEngine(tmp_path / "prepared")
    try:
        whole.add(docs)
        prepared.add_prepared(prepare(doc) for doc in docs)
        whole.commit()
        prepared.commit()
        query = SearchQuery("", facets=FACETS)
        one, other = whole.search(query), prepared.search(query)
        assert sorted((h.id, h.fields["title"]) for h in one.hits) == sorted(
            (h.id, h.fields["title"]) for h in other.hits)
        assert one.facets == other.facets
        assert len(other.hits) == 3
    finally:
        whole.close()
        prepared.close()
