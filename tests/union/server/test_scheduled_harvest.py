"""Scheduled harvests for real: two branches published over OAI-PMH by a real server on
127.0.0.1, harvested by the scheduler into a real store; one branch's feed is missing, the
other is harvested all the same, and the missing one is harvested at its next slot once
it is back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from tests.support.federation import write_federation
from tests.support.harvest_helpers import FixedClock, loc_records
from tests.support.oai_fault_server import Fault, OaiFaultServer
from union.cli import open_store
from union.config import load_federation
from union.server.metrics import NodeMetrics
from union.server.node import branch_harvester
from union.server.scheduler import HarvestScheduler, first_slots
from union.store.engine import Store
from union.store.models import BranchRow, HarvestRunRow, SourceRecordRow, SourceRow

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


def runs(store: Store) -> list[tuple[int, str, int]]:
    with store.read() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(HarvestRunRow.id, HarvestRunRow.status, HarvestRunRow.pages)
            .order_by(HarvestRunRow.id))]


async def test_a_harvest_stopped_mid_way_resumes_where_it_stopped_when_the_node_restarts(
    tmp_path: Path,
) -> None:
    records = loc_records(300)
    async with OaiFaultServer(feeds={"lambat": records},
                              feed_options={"lambat": {"page_size": 100}}) as server:
        # The second page is slow to come: the node is stopped while waiting for it.
        server.inject(Fault("stall", delay=3), path="/feeds/lambat",
                      when=lambda args: "resumptionToken" in args)
        config = write_federation(tmp_path, oai_branch("LAMBAT", server.url("/feeds/lambat")))
        federation = load_federation(config)
        store = open_store(federation)
        clock = FixedClock(START)
        try:
            first = HarvestScheduler(federation.branches,
                                     branch_harvester(federation, store, clock), clock)
            first.tick()
            while not any(pages for _, _, pages in runs(store)):
                await asyncio.sleep(0.05)
            await first.stop()
            assert first.slots["LAMBAT"].last_status == "interrupted"
            assert live_records(store, "LAMBAT") == 100
            [(run_id, status, pages)] = runs(store)
            assert (status, pages) == ("running", 1)

            with store.read() as session:
                due = first_slots(session, federation.branches, clock())
            assert due == {"LAMBAT": START}
            second = HarvestScheduler(federation.branches,
                                      branch_harvester(federation, store, clock), clock,
                                      first_due=due)
            second.tick()
            await second.settle()
        finally:
            store.dispose()
    assert second.slots["LAMBAT"].last_status == "complete"
    assert runs(store) == [(run_id, "complete", 3)]
    assert live_records(store, "LAMBAT") == 300
    # Resumed from the checkpoint's token: the listing was never started again.
    listings = server.args_sent("/feeds/lambat", "ListRecords")
    assert sum("resumptionToken" not in args for args in listings) == 1
