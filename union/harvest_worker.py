"""Harvesting one source in worker processes of its own.

Parsing and normalizing records is CPU work under Python's global lock; done in the
process that writes the store it would leave the second core idle. A worker process
fetches, parses and normalizes pages and hands each prepared page to the writer over a
pipe; the pipe's buffer is the back-pressure (the worker prepares one page ahead). If the
writer dies, the worker's next send fails and it stops; nothing is committed but by the
writer, so a crash anywhere still resumes from the last committed checkpoint.

An ISO 2709 file is read by several workers at once, each parsing its own share of the
pages (``harvesters.marc_file.Shard``); the writer takes their pages in turn, so pages
are committed in file order just as from one worker.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import multiprocessing
import traceback
from collections.abc import AsyncIterator, Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp

from harvesters.errors import HarvestError
from harvesters.marc_file import Shard
from union.config import Branch
from union.ingest import PreparedPage, prepare_page
from union.sources import SOURCE_FAILURES, make_harvester, shard_count

# "spawn": a fresh interpreter, safe whatever threads the parent runs (fork is not).
_CONTEXT = multiprocessing.get_context("spawn")

PageProducer = Callable[[dict[str, Any] | None, bool], AsyncIterator[PreparedPage]]


def worker_pages(branch: Branch) -> PageProducer:
    """Prepared pages of ``branch``'s source, produced by worker processes."""

    async def pages(checkpoint: dict[str, Any] | None, full: bool) -> AsyncIterator[PreparedPage]:
        count = shard_count(branch)
        receivers: list[Connection] = []
        processes: list[BaseProcess] = []
        for index in range(count):
            receiver, sender = _CONTEXT.Pipe(duplex=False)
            process = _CONTEXT.Process(
                target=_run, args=(branch, checkpoint, full, sender, Shard(index, count)),
                name=f"harvest-{branch.code}-{index}", daemon=True)
            process.start()
            sender.close()
            receivers.append(receiver)
            processes.append(process)
        try:
            # Page n comes from shard n % count: the shards' pages in file order.
            for turn in itertools.count():
                kind, value = await asyncio.to_thread(_receive, receivers[turn % count])
                if kind == "page":
                    yield value
                    if value.page.complete:
                        return
                elif kind == "done":
                    return
                else:
                    raise HarvestError(branch.code, value)
        finally:
            for receiver in receivers:
                receiver.close()
            for process in processes:
                await asyncio.to_thread(_stop, process)

    return pages


def _receive(receiver: Connection) -> tuple[str, Any]:
    try:
        message: tuple[str, Any] = receiver.recv()
    except EOFError:
        return "error", "the harvest worker process stopped before finishing"
    return message


def _stop(process: BaseProcess) -> None:
    process.join(timeout=10)
    if process.is_alive():
        process.kill()
        process.join()


def _run(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
         sender: Connection, shard: Shard) -> None:
    """The worker process's entry point."""
    # Parsing allocates hundreds of short-lived objects per record and makes no reference
    # cycles; collecting every 700 allocations (the default) cost a third of the time.
    gc.set_threshold(50_000, 20, 100)
    try:
        asyncio.run(_produce(branch, checkpoint, full, sender, shard))
    except (BrokenPipeError, ConnectionResetError):
        return  # the writer is gone: stop quietly
    except Exception:  # a bug: report it as this source's failure, others go on
        sender.send(("error", "harvest worker failed:\n" + traceback.format_exc()))
    finally:
        sender.close()


async def _produce(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
                   sender: Connection, shard: Shard) -> None:
    async with aiohttp.ClientSession() as http:
        harvester = make_harvester(branch, http, shard)
        try:
            async for page in harvester.harvest(checkpoint, full=full):
                # Sending blocks while the writer is busy; off the loop, so fetching goes on.
                await asyncio.to_thread(sender.send, ("page", prepare_page(page)))
        except SOURCE_FAILURES as exc:
            sender.send(("error", str(exc) or type(exc).__name__))
            return
    sender.send(("done", None))
