"""The patron catalogue served over the harvested demo catalogue: one harvest and one
index per session, a real aiohttp server on 127.0.0.1 per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web
from sqlalchemy import select

from tests.support.federation import harvest_demo_catalogue
from tests.union.web.support import Catalogue
from union.cli import main
from union.local_content import LocalMatcher
from union.search.engine import open_engine
from union.search.live_index import rebuild_index
from union.server.context import CONTEXT, ServerContext
from union.store.engine import Store
from union.store.models import WorkRow
from union.web import setup


def _single_member_works(store: Store) -> dict[str, tuple[int, str]]:
    """One single-record work per branch: code -> (work id, record name)."""
    found: dict[str, tuple[int, str]] = {}
    with store.read() as session:
        for work_id, display in session.execute(
                select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live")
                .order_by(WorkRow.id)):
            members = display["members"]
            if len(members) == 1 and members[0][0] not in found:
                found[members[0][0]] = (work_id, f"{members[0][0]}:{members[0][1]}")
    return found


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    """The demo catalogue harvested, a staff "same work" decision merging a village
    library's record into a city library's work, and the search index built."""
    folder = tmp_path_factory.mktemp("web")
    federation = harvest_demo_catalogue(folder)
    store = Store(federation.union.database)
    try:
        singles = _single_member_works(store)
        (kept, kept_name), (gone, gone_name) = singles["KOTA"], singles["DESA2"]
        assert main(["--config", str(federation.path), "works", "same", kept_name,
                     gone_name]) == 0
        with store.read() as session:
            first, second = session.get(WorkRow, kept), session.get(WorkRow, gone)
            merged, survivor = (first, second) if first.status == "merged" else (second, first)
            assert merged.status == "merged" and merged.merged_into == survivor.id
            merged_id, survivor_id = merged.id, survivor.id
        index = folder / "index"
        rebuild_index("tantivy", index, store, LocalMatcher(federation.local))
    finally:
        store.dispose()
    return Catalogue(federation, index, merged_id, survivor_id)


@pytest.fixture
async def server(catalogue: Catalogue) -> AsyncIterator[str]:
    """The patron pages on a free port of 127.0.0.1; yields the base URL."""
    store = Store(catalogue.federation.union.database)
    engine = open_engine("tantivy", catalogue.index)
    context = ServerContext(federation=catalogue.federation, store=store,
                            clock=lambda: datetime(2026, 11, 22, 6, 0, tzinfo=UTC),
                            engine=engine)
    app = web.Application()
    app[CONTEXT] = context
    setup(app, context)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
        engine.close()
        store.dispose()
