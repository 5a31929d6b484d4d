"""More than one process serving one port (``union serve --workers N``).

Python answers one request at a time per process, so on a machine of several cores the
node runs N processes on one port (``SO_REUSEPORT``: the kernel spreads the connections).
The first process is the *owner*: it alone writes the search index, follows the change
log, runs the scheduled harvests, the feed follower and the hosted sync sessions. The
others are *readers*: they answer requests over the same store and open the same index
only to search it, reloading it whenever a commit moves the index's cursor (see
:func:`follow_commits`). A reader whose owner is gone stops.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from pathlib import Path

from aiohttp import web

from union.config import Federation
from union.search.engine import SearchEngine, open_engine
from union.search.live_index import read_cursor
from union.server.app import PARTS, build_app
from union.server.context import Clock, ServerContext
from union.server.health import NodeState
from union.server.metrics import NodeMetrics
from union.store.engine import Store

__all__ = ["READER_POLL_SECONDS", "ReaderSpec", "follow_commits", "reader_processes"]

log = logging.getLogger(__name__)

#: How often a process looks for index commits made by another process.
READER_POLL_SECONDS = 1.0
_STOP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ReaderSpec:
    """What a reader process needs to serve (picklable: readers are spawned, not
    forked, since the owner already runs threads)."""

    federation: Federation
    open_store: Callable[[Federation], Store]
    clock: Clock
    host: str
    port: int


async def follow_commits(engine: SearchEngine, directory: Path, interval: float,
                         still_wanted: Callable[[], bool] = lambda: True) -> None:
    """Reload ``engine`` whenever the index cursor in ``directory`` moves (another
    process committed), every ``interval`` seconds, while ``still_wanted()``."""
    seen = await asyncio.to_thread(read_cursor, directory)
    while still_wanted():
        await asyncio.sleep(interval)
        cursor = await asyncio.to_thread(read_cursor, directory)
        if cursor != seen:
            await asyncio.to_thread(engine.refresh)
            seen = cursor


@contextmanager
def reader_processes(spec: ReaderSpec, count: int) -> Iterator[list[SpawnProcess]]:
    """``count`` reader processes serving ``spec``'s port until the block ends (then
    stopped with SIGTERM, killed if they linger)."""
    spawn = multiprocessing.get_context("spawn")
    readers = [spawn.Process(target=run_reader, args=(spec, os.getpid()),
                             name=f"union-reader-{n + 1}", daemon=True)
               for n in range(count)]
    for reader in readers:
        reader.start()
    try:
        yield readers
    finally:
        for reader in readers:
            if reader.is_alive():
                reader.terminate()
        for reader in readers:
            reader.join(_STOP_SECONDS)
            if reader.is_alive():
                reader.kill()
                reader.join()


def run_reader(spec: ReaderSpec, owner: int) -> None:
    """A reader process: serve ``spec`` until SIGTERM or until the ``owner`` is gone."""
    store = spec.open_store(spec.federation)
    union = spec.federation.union
    engine = open_engine(union.search_engine, union.index)
    try:
        asyncio.run(_serve_reader(spec, store, engine, owner))
    finally:
        engine.close()
        store.dispose()


async def _serve_reader(spec: ReaderSpec, store: Store, engine: SearchEngine,
                        owner: int) -> None:
    directory = spec.federation.union.index
    context = ServerContext(spec.federation, store, spec.clock, engine, background=False)
    node_metrics = NodeMetrics.register(context.metrics)
    with store.read() as session:
        node_metrics.seed(session, [b.code for b in spec.federation.branches])
    node = NodeState(index_cursor=lambda: read_cursor(directory))
    app = build_app(context, node_metrics, node, PARTS)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    # Ctrl+C reaches the whole process group: the owner decides when readers stop.
    loop.add_signal_handler(signal.SIGINT, lambda: None)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, spec.host, spec.port, reuse_port=True).start()
        follower = asyncio.create_task(follow_commits(
            engine, directory, READER_POLL_SECONDS, lambda: os.getppid() == owner))
        stop = asyncio.create_task(stopping.wait())
        await asyncio.wait((follower, stop), return_when=asyncio.FIRST_COMPLETED)
        for task in (follower, stop):
            task.cancel()
        for outcome in await asyncio.gather(follower, stop, return_exceptions=True):
            if isinstance(outcome, Exception):
                log.error("reader stopped following the index", exc_info=outcome)
    finally:
        await runner.cleanup()
