"""Harvesting every branch concurrently into the store (the composition of harvesters,
normalization and the store).

Each source pages through its feed in order; sources run side by side under a bound. A
failing source is recorded and never stops the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiohttp

from harvesters.base import Harvester
from union.config import Branch, Federation, MarcFileSource
from union.harvest_runs import (
    RunStart,
    begin_reconciliation,
    begin_run,
    fail_run,
    finish_reconciliation,
    last_reconciled,
)
from union.harvest_worker import PageProducer, worker_pages
from union.ingest import (
    Counts,
    PreparedPage,
    RunContext,
    commit_page,
    mark_seen,
    mark_unseen_deleted,
    prepare_page,
)
from union.sources import SOURCE_FAILURES, make_harvester
from union.store.engine import Store
from union.works.updater import update_works

Clock = Callable[[], datetime]
HarvesterFactory = Callable[[Branch, aiohttp.ClientSession], Harvester]


class HarvestProgress(Protocol):
    """Told about each source's progress (the CLI draws bars from it)."""

    def started(self, code: str, resumed: bool) -> None: ...
    def page(self, code: str, counts: Counts) -> None: ...
    def finished(self, summary: SourceSummary) -> None: ...


@dataclass(slots=True)
class SourceSummary:
    """How one source's harvest ended."""

    code: str
    status: str
    counts: Counts = field(default_factory=Counts)
    error: str | None = None
    resumed: bool = False
    reconciled_deleted: int | None = None


class _Silent:
    def started(self, code: str, resumed: bool) -> None:
        pass

    def page(self, code: str, counts: Counts) -> None:
        pass

    def finished(self, summary: SourceSummary) -> None:
        pass


def inline_pages(harvester: Harvester) -> PageProducer:
    """Prepared pages of a harvester run in this process (normalizing in a thread)."""

    async def pages(checkpoint: dict[str, Any] | None, full: bool) -> AsyncIterator[PreparedPage]:
        async for page in harvester.harvest(checkpoint, full=full):
            yield await asyncio.to_thread(prepare_page, page)

    return pages


async def harvest_federation(
    federation: Federation,
    store: Store,
    clock: Clock,
    *,
    only: Sequence[str] | None = None,
    full: bool = False,
    progress: HarvestProgress | None = None,
    harvester_factory: HarvesterFactory | None = None,
    cluster: bool = True,
) -> list[SourceSummary]:
    """Harvest the chosen branches (all by default) concurrently; one summary per branch.

    By default each source is harvested in a worker process of its own (fetching, parsing
    and normalizing there, writing here: both cores work); with ``harvester_factory`` the
    harvesters it builds run in this process.

    Then, unless ``cluster`` is False, bring the works up to date with what was committed
    (also after a failed source: its committed pages are good).
    """
    branches = [federation.branch(code) for code in only] if only else list(federation.branches)
    bound = asyncio.Semaphore(federation.union.harvest_concurrency)
    report = progress or _Silent()

    async with aiohttp.ClientSession() as http:

        async def one(branch: Branch) -> SourceSummary:
            async with bound:
                factory = harvester_factory or make_harvester
                pages = (worker_pages(branch) if harvester_factory is None
                         else inline_pages(factory(branch, http)))
                summary = await harvest_source(branch.code, pages, store, clock, full=full,
                                               progress=report)
                due = summary.status == "complete" and await asyncio.to_thread(
                    _reconcile_due, store, branch, clock())
                if due:
                    await _reconcile(branch.code, factory(branch, http), store, clock, summary)
                report.finished(summary)
                return summary

        summaries = list(await asyncio.gather(*(one(b) for b in branches)))
    if cluster:
        priority = [branch.code for branch in federation.branches]
        await asyncio.to_thread(update_works, store, clock, priority=priority)
    return summaries


async def harvest_source(
    code: str,
    pages: PageProducer,
    store: Store,
    clock: Clock,
    *,
    full: bool = False,
    progress: HarvestProgress | None = None,
) -> SourceSummary:
    """Run (or resume) one source's harvest, committing page by page."""
    report = progress or _Silent()
    start = await asyncio.to_thread(_begin, store, code, full, clock())
    summary = SourceSummary(code, "running", resumed=start.resumed)
    report.started(code, start.resumed)
    try:
        async for page in pages(start.checkpoint, full):
            counts = await asyncio.to_thread(_commit, store, start.context, page, clock())
            summary.counts.add(counts)
            report.page(code, counts)
    except SOURCE_FAILURES as exc:
        summary.status, summary.error = "failed", str(exc) or type(exc).__name__
        await asyncio.to_thread(_fail, store, start.context.run_id, summary.error, clock())
        return summary
    summary.status = "complete"
    return summary


def _begin(store: Store, code: str, full: bool, now: datetime) -> RunStart:
    with store.write() as session:
        return begin_run(session, code, full=full, now=now)


def _commit(store: Store, ctx: RunContext, page: PreparedPage, now: datetime) -> Counts:
    with store.write() as session:
        return commit_page(session, ctx, page, now)


def _fail(store: Store, run_id: int, error: str, now: datetime) -> None:
    with store.write() as session:
        fail_run(session, run_id, error, now)


def _reconcile_due(store: Store, branch: Branch, now: datetime) -> bool:
    # A MARC file is a full listing every time; only feeds need a separate listing.
    if isinstance(branch.source, MarcFileSource) or branch.schedule.reconcile_days == 0:
        return False
    with store.read() as session:
        last = last_reconciled(session, branch.code)
    return last is None or now - last >= timedelta(days=branch.schedule.reconcile_days)


async def _reconcile(code: str, harvester: Harvester, store: Store, clock: Clock,
                     summary: SourceSummary) -> None:
    """List every live identifier and mark the records the branch no longer has deleted."""
    ctx = await asyncio.to_thread(_begin_reconciliation, store, code, clock())
    try:
        async for batch in harvester.list_identifiers():
            await asyncio.to_thread(_mark_seen, store, ctx, batch)
    except SOURCE_FAILURES as exc:
        # The harvest itself succeeded; a failed listing only postpones reconciliation.
        summary.error = f"reconciliation failed: {exc}"
        await asyncio.to_thread(_fail, store, ctx.run_id, summary.error, clock())
        return
    summary.reconciled_deleted = await asyncio.to_thread(_finish_reconciliation, store, ctx,
                                                         clock())
    summary.counts.deleted += summary.reconciled_deleted


def _begin_reconciliation(store: Store, code: str, now: datetime) -> RunContext:
    with store.write() as session:
        return begin_reconciliation(session, code, now)


def _mark_seen(store: Store, ctx: RunContext, batch: list[str]) -> None:
    with store.write() as session:
        mark_seen(session, ctx, batch)


def _finish_reconciliation(store: Store, ctx: RunContext, now: datetime) -> int:
    with store.write() as session:
        deleted = mark_unseen_deleted(session, ctx, now)
        finish_reconciliation(session, ctx, deleted, now)
        return deleted
