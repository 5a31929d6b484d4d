"""Running the web node: the application, the scheduled harvests, the search index kept
in step, and the demo feeds, until SIGINT or SIGTERM.

Shutdown is graceful: the listener stops, running harvests are cancelled (each page was
committed with its checkpoint, so an interrupted harvest resumes at its next slot), the
index loop stops after its current batch, and the store and index are closed. With
``workers`` above one, this process is the owner of the background work and starts the
reader processes of :mod:`union.server.workers` on its port, and stops them on the way out.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from union.config import Federation
from union.harvest import SourceSummary, harvest_federation
from union.search.live_index import LiveIndex
from union.server.app import PARTS, build_app
from union.server.context import Clock, ServerContext
from union.server.health import NodeState
from union.server.metrics import NodeMetrics
from union.server.scheduler import HarvestOne, HarvestScheduler, first_slots
from union.server.workers import READER_POLL_SECONDS, ReaderSpec, follow_commits, reader_processes
from union.store.engine import Store

__all__ = ["NodeOptions", "branch_harvester", "catch_up", "follow_index", "run_node"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class NodeOptions:
    """How to run the node: where to listen, whether to run the scheduled harvests, how
    often the index catches up with the change log, and how many processes serve the
    port (this one and ``workers - 1`` readers)."""

    host: str = "127.0.0.1"
    port: int = 8080
    harvest: bool = True
    index_interval: float = 5.0
    workers: int = 1


async def follow_index(index: LiveIndex, interval: float) -> None:
    """Catch the index up with the change log every ``interval`` seconds, for ever."""
    while True:
        await catch_up(index)
        await asyncio.sleep(interval)


async def catch_up(index: LiveIndex) -> None:
    """Catch the index up once; a failure is logged and retried at the next turn (the
    index moves its cursor only after committing, so nothing is lost)."""
    try:
        await asyncio.to_thread(index.catch_up)
    except Exception:  # a store hiccup, say: the next turn starts again from the cursor
        log.exception("search index catch-up failed")


async def run_node(federation: Federation, store: Store, index: LiveIndex, clock: Clock,
                   options: NodeOptions, *, ready: Callable[[str], None] = print,
                   open_store: Callable[[Federation], Store] | None = None) -> None:
    """Serve the federation until SIGINT or SIGTERM, keeping ``index`` (whose engine the
    parts search) in step with the store; ``ready`` is told the node's URL. Reader
    processes (``options.workers`` above one) open their own store with ``open_store``."""
    if options.workers > 1 and open_store is None:
        raise ValueError("reader processes need open_store")
    context = ServerContext(federation=federation, store=store, clock=clock,
                            engine=index.engine)
    node_metrics = NodeMetrics.register(context.metrics)
    codes = [b.code for b in federation.branches]
    await asyncio.to_thread(_seed, store, node_metrics, codes)
    node = NodeState(index_cursor=lambda: index.cursor)
    if options.harvest:
        first = await asyncio.to_thread(_first_slots, store, federation, clock)
        node.scheduler = HarvestScheduler(
            federation.branches, branch_harvester(federation, store, clock), clock,
            metrics=node_metrics, first_due=first,
            concurrency=federation.union.harvest_concurrency,
            after_harvest=lambda: catch_up(index))
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with AsyncExitStack() as stack:
        await _start_demo_feeds(stack, federation)
        app = build_app(context, node_metrics, node, PARTS)
        url = await stack.enter_async_context(
            _listening(app, options.host, options.port, reuse_port=options.workers > 1))
        if options.workers > 1 and open_store is not None:
            port = int(url.rstrip("/").rpartition(":")[2])
            spec = ReaderSpec(federation, open_store, clock, options.host, port)
            stack.enter_context(reader_processes(spec, options.workers - 1))
        background = [asyncio.create_task(follow_index(index, options.index_interval),
                                          name="index"),
                      # A harvest in another process may commit to the index too.
                      asyncio.create_task(follow_commits(index.engine, index.directory,
                                                         READER_POLL_SECONDS), name="reload")]
        if node.scheduler is not None:
            background.append(asyncio.create_task(node.scheduler.run(), name="scheduler"))
        ready(url)
        await stopping.wait()
        log.info("stopping: %d background tasks", len(background))
        for task in background:
            task.cancel()
        for task in background:
            with suppress(asyncio.CancelledError):
                await task
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)


def branch_harvester(federation: Federation, store: Store, clock: Clock) -> HarvestOne:
    """Harvest one branch of ``federation`` (with reconciliation when due, and the works
    brought up to date after it), as the scheduler calls it."""

    async def harvest(code: str) -> SourceSummary:
        summaries = await harvest_federation(federation, store, clock, only=[code])
        return summaries[0]

    return harvest


def _seed(store: Store, node_metrics: NodeMetrics, codes: list[str]) -> None:
    with store.read() as session:
        node_metrics.seed(session, codes)


def _first_slots(store: Store, federation: Federation, clock: Clock) -> dict[str, datetime]:
    with store.read() as session:
        return first_slots(session, federation.branches, clock())


async def _start_demo_feeds(stack: AsyncExitStack, federation: Federation) -> None:
    """The demo's stand-in branch feeds, so its OAI-PMH branch keeps being harvestable."""
    if not federation.demo_feeds:
        return
    # Imported here: only a demo federation serves branch feeds.
    from union.demo_feed.server import serve_feed

    for feed in federation.demo_feeds:
        url = await stack.enter_async_context(
            serve_feed(feed.marc_path, port=feed.port, page_size=feed.page_size))
        log.info("demo OAI-PMH feed at %s", url)


@asynccontextmanager
async def _listening(app: web.Application, host: str, port: int,
                     reuse_port: bool = False) -> AsyncIterator[str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_port=reuse_port or None)
        await site.start()
        bound = runner.addresses[0][1]
        yield f"http://{host}:{bound}/"
    finally:
        await runner.cleanup()
