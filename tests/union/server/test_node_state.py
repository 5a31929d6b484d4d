"""What the node reads from the store when it starts (harvest counters, each branch's
first slot) on SQLite and PostgreSQL, and ``/healthz`` over a real HTTP server when the
store does not answer."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

from tests.support.federation import marc_file_branch, write_federation
from tests.support.paths import REPO
from union.config import Federation, load_federation
from union.harvest import harvest_federation
from union.harvest_runs import register_federation
from union.search.engine import open_engine
from union.server import health, metrics
from union.server.app import build_app
from union.server.context import ServerContext
from union.server.health import NodeState
from union.server.metrics import NodeMetrics
from union.server.scheduler import first_slots
from union.status import federation_status
from union.store.engine import Store

LATER = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def harvested(tmp_path: Path, store: Store, store_url: str) -> Federation:
    """DESA3's 60 records harvested (at the wall clock), HILANG's missing file failed,
    BARU registered and never harvested."""
    shutil.copy(REPO / "config" / "catalogues" / "desa-petanang.mrc", tmp_path / "desa3.mrc")
    config = write_federation(tmp_path, "".join([
        marc_file_branch("DESA3", "desa3.mrc"), "schedule = { interval_minutes = 90 }\n",
        marc_file_branch("HILANG", "tidak-ada.mrc"), marc_file_branch("BARU", "desa3.mrc"),
    ]), database=store_url)
    federation = load_federation(config)
    with store.write() as session:
        register_federation(session, federation)
    await harvest_federation(federation, store, lambda: datetime.now(UTC),
                             only=["DESA3", "HILANG"])
    return federation


async def test_harvest_counters_start_from_the_runs_in_the_store(
    harvested: Federation, store: Store
) -> None:
    registry = CollectorRegistry()
    metrics = NodeMetrics.register(registry)
    with store.read() as session:
        metrics.seed(session, [b.code for b in harvested.branches])

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("union_harvest_records_total", branch="DESA3", outcome="new") == 60
    assert value("union_harvest_runs_total", branch="DESA3", status="complete") == 1
    assert value("union_harvest_errors_total", branch="DESA3") == 0
    assert value("union_harvest_errors_total", branch="HILANG") == 1
    assert value("union_harvest_runs_total", branch="HILANG", status="failed") == 1
    assert value("union_harvest_records_total", branch="BARU", outcome="new") == 0


async def test_first_slot_is_an_interval_after_the_last_complete_harvest_else_now(
    harvested: Federation, store: Store
) -> None:
    with store.read() as session:
        slots = first_slots(session, harvested.branches, LATER)
        started = datetime.fromisoformat(
            federation_status(session)["DESA3"]["last_run"]["started"])
    assert slots == {"DESA3": started + timedelta(minutes=90), "HILANG": LATER, "BARU": LATER}


@pytest.fixture
async def unreachable_store_node(tmp_path: Path) -> AsyncIterator[str]:
    config = write_federation(tmp_path, marc_file_branch("DESA3", "desa3.mrc"),
                              database="postgresql://union@127.0.0.1:1/tidak_ada")
    federation = load_federation(config)
    store = Store(federation.union.database)
    engine = open_engine("tantivy", tmp_path / "index")
    context = ServerContext(federation=federation, store=store,
                            clock=lambda: datetime.now(UTC), engine=engine)
    # Only the node's own parts: the others read the store as they are set up.
    app = build_app(context, NodeMetrics.register(context.metrics), NodeState(),
                    parts=[("health", health.setup), ("metrics", metrics.setup)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    await runner.cleanup()
    engine.close()
    store.dispose()


async def test_healthz_answers_503_and_says_why_when_the_store_does_not_answer(
    unreachable_store_node: str,
) -> None:
    async with aiohttp.ClientSession() as http, \
            http.get(unreachable_store_node + "/healthz") as response:
        report = await response.json()
        assert response.status == 503
    assert report["status"] == "error"
    assert report["store"]["ok"] is False
    assert report["store"]["backend"] == "postgresql"
    assert "OperationalError" in report["store"]["error"]
    assert report["index"] == {"ok": True, "engine": "tantivy", "documents": 0}
