"""A rebuild reads and analyzes works in worker processes: the index it builds is the one
a single process builds, on SQLite and PostgreSQL, with the custody of every copy read by
the workers themselves (the real demo catalogue, harvested and clustered)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.federation import harvest_demo_catalogue
from tests.support.postgres import Cluster
from union.availability import status_available
from union.local_content import LocalMatcher
from union.search.bulk import id_ranges
from union.search.engine import ENGINES, SearchQuery, open_engine
from union.search.fields import FACETS
from union.search.live_index import read_cursor, rebuild_index
from union.store.engine import Store
from union.store.models import WorkRow
from union.store.sync_models import SyncCustodyRow
from union.sync_node.catalogue import custody_of_displays, item_id

QUERIES = ("", "sejarah", "Soekarno", "kebudayaan jawa", "tahun:1970-1999", "pengarang:pramoedya")


class Demo:
    """The harvested demo catalogue in one store, with one copy lent through sync."""

    def __init__(self, store: Store, matcher: LocalMatcher) -> None:
        self.store = store
        self.matcher = matcher
        with store.read() as session:
            self.live = int(session.scalar(
                select(func.count()).select_from(WorkRow).where(WorkRow.status == "live")) or 0)
        self.lent_work, self.lent_branch = self._lend_a_single_copy()

    def _lend_a_single_copy(self) -> tuple[str, str]:
        """Put on loan, through the sync custody table, the only copy of a work that is on
        the shelf at its only branch; that work's id and branch."""
        with self.store.read() as session:
            rows = session.execute(select(WorkRow.id, WorkRow.display)
                                   .where(WorkRow.status == "live").order_by(WorkRow.id)).all()
        for work_id, display in rows:
            holdings = display.get("holdings") or []
            items = [item for holding in holdings for item in holding.get("items") or ()]
            if (len(holdings) == 1 and len(items) == 1 and items[0].get("barcode")
                    and status_available(items[0].get("status"))):
                branch, barcode = holdings[0]["branch"], items[0]["barcode"]
                with self.store.write() as session:
                    session.add(SyncCustodyRow(item_id=item_id(branch, barcode), owner=branch,
                                               status="on_loan",
                                               updated_at=datetime(2026, 1, 5, tzinfo=UTC)))
                return str(work_id), branch
        raise AssertionError("the demo catalogue has no work with a single copy")

    def rebuild(self, directory: Path, workers: int, engine: str = "tantivy") -> Any:
        return rebuild_index(engine, directory, self.store, self.matcher,
                             custody=custody_of_displays, batch=37, workers=workers)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """The demo catalogue harvested once per backend for this module's tests (which only
    read it)."""
    folder = tmp_path_factory.mktemp(f"bulk-{request.param}")
    database = None
    if request.param == "postgresql":
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        database = cluster.new_database_url()
    federation = harvest_demo_catalogue(folder, database=database)
    store = Store(federation.union.database)
    request.addfinalizer(store.dispose)
    return Demo(store, LocalMatcher(federation.local))


def everything(directory: Path, engine_name: str = "tantivy") -> dict[str, Any]:
    """Every stored document and the answers to :data:`QUERIES` with all facets."""
    engine = open_engine(engine_name, directory)
    try:
        seen: dict[str, Any] = {}
        for text in QUERIES:
            found = engine.search(SearchQuery(text, limit=1000, facets=FACETS))
            seen[text] = (found.total, sorted(hit.id for hit in found.hits), found.facets)
        seen["documents"] = {hit.id: hit.fields
                             for hit in engine.search(SearchQuery("", limit=1000)).hits}
        return seen
    finally:
        engine.close()


def test_ranges_cover_every_live_work_once_in_batches(demo: Demo) -> None:
    ranges = id_ranges(demo.store, 37)
    with demo.store.read() as session:
        live = session.scalars(select(WorkRow.id).where(WorkRow.status == "live")
                               .order_by(WorkRow.id)).all()
    covered = [work_id for first, last in ranges for work_id in live if first <= work_id <= last]
    assert covered == list(live)
    assert len(ranges) == -(-demo.live // 37)


@pytest.mark.parametrize("engine", ENGINES)
def test_workers_build_the_index_one_process_builds(
        demo: Demo, engine: str, tmp_path: Path) -> None:
    in_workers = demo.rebuild(tmp_path / "workers", workers=2, engine=engine)
    alone = demo.rebuild(tmp_path / "alone", workers=0, engine=engine)
    assert in_workers.added == alone.added == demo.live
    assert in_workers.cursor == alone.cursor == read_cursor(tmp_path / "workers")
    assert everything(tmp_path / "workers", engine) == everything(tmp_path / "alone", engine)


def test_workers_read_the_custody_of_the_copies_they_index(demo: Demo, tmp_path: Path) -> None:
    demo.rebuild(tmp_path / "index", workers=2)
    documents = everything(tmp_path / "index")["documents"]
    assert len(documents) == demo.live
    lent = documents[demo.lent_work]
    assert lent["availability"] == [[demo.lent_branch, 0, 1]]
    assert demo.lent_branch not in lent["available_branches"]


def test_a_small_catalogue_is_rebuilt_in_this_process(demo: Demo, tmp_path: Path) -> None:
    # One batch of works: no worker processes are started (a fork costs more than it
    # saves), and the index is the same.
    report = rebuild_index("tantivy", tmp_path / "index", demo.store, demo.matcher,
                           custody=custody_of_displays)
    assert report.added == demo.live
    assert len(everything(tmp_path / "index")["documents"]) == demo.live
