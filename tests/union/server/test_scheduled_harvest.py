"""Scheduled harvests for real: two branches published over OAI-PMH by a real server on
127.0.0.1, harvested by the scheduler into a real store; one branch's feed is missing, the
other is harvested all the same, and the missing one is harvested at its next slot once
it is back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from tests.support.federation import write_federation
from tests.support.oai_fault_server import FixedClock, OaiFaultServer, loc_records
from union.cli import open_store
from union.config import load_federation
from union.server.metrics import NodeMetrics
from union.server.node import branch_harvester
from union.server.scheduler import HarvestScheduler
from union.store.engine import Store
from union.store.models import BranchRow, SourceRecordRow, SourceRow

START = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)


def oai_branch(code: str, url: str) -> str:
    return f"""
[[branches]]
code = "{code}"
name = "Perpustakaan {code}"
kind = "village"
source = {{ type = "oai-pmh", url = "{url}", metadata_prefix = "marc21" }}
schedule = {{ interval_minutes = 60 }}
"""


def live_records(store: Store, code: str) -> int:
    with store.read() as session:
        return session.scalar(
            select(func.count()).select_from(SourceRecordRow)
            .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
            .join(BranchRow, BranchRow.id == SourceRow.branch_id)
            .where(BranchRow.code == code, SourceRecordRow.deleted.is_(False))) or 0


async def test_a_branch_whose_feed_is_down_fails_alone_and_is_harvested_at_its_next_slot(
    tmp_path: Path,
) -> None:
    records = loc_records(170)
    async with OaiFaultServer(feeds={"baik": records[:120]}) as server:
        config = write_federation(tmp_path, oai_branch("BAIK", server.url("/feeds/baik"))
                                  + oai_branch("RUSAK", server.url("/feeds/rusak")))
        federation = load_federation(config)
        store = open_store(federation)
        clock = FixedClock(START)
        registry = CollectorRegistry()
        scheduler = HarvestScheduler(federation.branches,
                                     branch_harvester(federation, store, clock), clock,
                                     metrics=NodeMetrics.register(registry))
        try:
            scheduler.tick()
            await scheduler.settle()
            baik, rusak = scheduler.slots["BAIK"], scheduler.slots["RUSAK"]
            assert baik.last_status == "complete"
            assert rusak.last_status == "failed"
            assert "404" in (rusak.last_error or "")
            assert live_records(store, "BAIK") == 120
            assert live_records(store, "RUSAK") == 0

            server.set_feed("rusak", records[120:])
            clock.now += timedelta(minutes=60)
            scheduler.tick()
            await scheduler.settle()
            assert rusak.last_status == baik.last_status == "complete"
            assert live_records(store, "RUSAK") == 50
            assert live_records(store, "BAIK") == 120
        finally:
            await scheduler.stop()
            store.dispose()

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, labels)

    assert value("union_harvest_records_total", branch="BAIK", outcome="new") == 120
    assert value("union_harvest_records_total", branch="RUSAK", outcome="new") == 50
    assert value("union_harvest_errors_total", branch="RUSAK") == 1
    assert value("union_harvest_errors_total", branch="BAIK") is None
    assert value("union_harvest_runs_total", branch="BAIK", status="complete") == 2
