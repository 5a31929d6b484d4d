"""The protocol over the real demo catalogue: rotas from the union holdings, custody in
search, and permanent transfers that a later harvest cannot silently undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from sync.transfer import TransferStatus
from tests.support.federation import harvest_demo_catalogue
from tests.union.sync_node.support import Hosted, shared_work
from union.config import LocalContent
from union.local_content import LocalMatcher
from union.search.engine import MAX_LIMIT, SearchQuery, open_engine
from union.search.live_index import LiveIndex, rebuild_index
from union.store.engine import Store
from union.store.models import ChangeRow
from union.sync_node.catalogue import (
    StoreCatalogue,
    custody_of_displays,
    custody_of_works,
    owners_of,
)
from union.sync_node.enrolment import enrol, start_node
from union.sync_node.service import KeyDirectory

BRANCHES = ("KOTA", "DESA1", "DESA2", "DESA3")


@pytest.fixture
def demo(tmp_path: Path) -> Hosted:
    """The demo catalogue harvested, every branch hosted with the copies it catalogued."""
    federation = harvest_demo_catalogue(tmp_path)
    # KOTA and DESA2 answer requests automatically (their [sync] answer_requests policy), so
    # these tests look at custody in search rather than at the lenders' desks.
    answering = ("KOTA", "DESA2")
    fed = Hosted(Store(federation.union.database), KeyDirectory(tmp_path / "keys", answering))
    for code in BRANCHES:
        enrol(fed.store, code, fed.keys.path(code), fed.clock())
        start_node(fed.store, code, fed.keys.path(code), fed.clock())
    return fed


def test_a_title_request_asks_branches_with_a_copy_on_the_shelf_first(demo: Hosted) -> None:
    work_id, items = shared_work(demo.store, "KOTA", "DESA2")
    [desa2_copy] = [i for i in items if i.startswith("DESA2/")]
    demo.service.declare_lost("DESA2", desa2_copy, demo.clock())
    demo.service.request_title("DESA1", work_id, demo.clock())
    [request] = demo.service.snapshot("DESA1").outgoing()
    assert request.rota.lenders == ("KOTA", "DESA2")
    demo.sync("DESA1", "KOTA", "DESA1")
    [pick] = demo.service.snapshot("KOTA").pick_list()
    assert pick.item_id in items


def test_a_reserved_copy_shows_in_search_custody_and_logs_its_work(demo: Hosted) -> None:
    work_id, items = shared_work(demo.store, "KOTA", "DESA2")
    copy = sorted(i for i in items if i.startswith("KOTA/"))[0]
    with demo.store.read() as session:
        before = session.scalar(select(ChangeRow.seq).order_by(ChangeRow.seq.desc()).limit(1))
    demo.service.reserve_item("DESA1", copy, demo.clock())
    demo.sync("DESA1", "KOTA")
    with demo.store.read() as session:
        custody = custody_of_works(session, [work_id])
        logged = session.scalars(
            select(ChangeRow.entity_id).where(ChangeRow.seq > before, ChangeRow.entity == "work")
        ).all()
    assert custody[tuple(copy.split("/"))] == "reserved"
    assert work_id in logged


def test_reserving_every_copy_a_branch_holds_takes_it_off_available_now_in_search(
    demo: Hosted, tmp_path: Path,
) -> None:
    work_id, items = shared_work(demo.store, "KOTA", "DESA2")
    directory = tmp_path / "index"
    rebuild_index("tantivy", directory, demo.store, LocalMatcher(LocalContent()),
                  custody=custody_of_displays)
    for copy in (i for i in items if i.startswith("KOTA/")):
        demo.service.reserve_item("DESA1", copy, demo.clock())
    demo.sync("DESA1", "KOTA")
    engine = open_engine("tantivy", directory)
    try:
        LiveIndex(engine, directory, demo.store, LocalMatcher(LocalContent()),
                  custody=custody_of_displays).catch_up()
        results = engine.search(SearchQuery("", filters={"available": ("KOTA",)},
                                            limit=MAX_LIMIT))
    finally:
        engine.close()
    assert str(work_id) not in {hit.id for hit in results.hits}
    assert results.total > 0


def test_a_transferred_copy_changes_owner_and_a_stale_harvest_is_a_conflict(
    demo: Hosted,
) -> None:
    work_id, items = shared_work(demo.store, "KOTA", "DESA2")
    copy = sorted(i for i in items if i.startswith("KOTA/"))[0]
    svc, now = demo.service, demo.clock
    transfer = svc.propose_transfer("KOTA", "DESA3", [copy], now())
    demo.sync("KOTA", "DESA3")
    svc.accept_transfer("DESA3", transfer, now())
    demo.sync("DESA3", "KOTA")
    svc.ship_transfer("KOTA", transfer, now())
    demo.sync("KOTA", "DESA3")
    svc.receive_transfer("DESA3", transfer, now())
    demo.sync("DESA3", "KOTA")
    [done] = svc.snapshot("KOTA").transfers()
    assert done.status is TransferStatus.RECEIVED
    with demo.store.read() as session:
        assert owners_of(session, [copy]) == {copy: "DESA3"}
        lenders = {c.branch for c in StoreCatalogue(session).lenders_for(str(work_id), "DESA1")}
    assert "DESA3" in lenders
    # KOTA's own catalogue still lists the copy (the demo's harvested records): taking its
    # catalogue onto the shelf again does not take the copy back; staff see a conflict.
    start_node(demo.store, "KOTA", demo.keys.path("KOTA"), now())
    assert copy not in {c.item_id for c in svc.snapshot("KOTA").custody()}
    assert copy in {c.item_id for c in svc.snapshot("DESA3").custody()}
    [conflict] = svc.conflicts("KOTA", now())
    assert (conflict.item_id, conflict.listed_by, conflict.owner) == (copy, "KOTA", "DESA3")
    svc.resolve_conflict("DESA3", conflict.id, "transfer_stands", now())
    assert svc.conflicts("KOTA", now()) == []
