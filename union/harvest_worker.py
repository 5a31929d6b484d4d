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

An OAI-PMH feed can only be fetched in order (each page names the next), but finishing a
fetched page needs only what its tree gave (headers and canonical payloads; see
``RawPage``). So one fetching process pages through the feed and deals the raw pages in
turn to converting processes, which parse the MARC, normalize and hash; the writer takes
the converters' pages in the same turn, so pages, checkpoints and resumption are as with
one worker. The fetcher's end of the list (done, or a failure) goes to the converter
whose turn is next, which passes it on after the pages before it. A feed given one
process (``shard_count``) is fetched and converted by that one worker.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import queue
import threading
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

import aiohttp

from harvesters.errors import HarvestError
from harvesters.marc_file import Shard
from harvesters.oai.harvester import OaiHarvester
from union.collector import collect_rarely
from union.config import Branch, OaiSource
from union.ingest import PreparedPage, prepare_page
from union.sources import SOURCE_FAILURES, make_harvester, page_converter, shard_count

# "spawn": a fresh interpreter, safe whatever threads the parent runs (fork is not).
_CONTEXT = multiprocessing.get_context("spawn")

PageProducer = Callable[[dict[str, Any] | None, bool], AsyncIterator[PreparedPage]]
Report = Callable[[tuple[str, Any]], None]


def worker_pages(branch: Branch, count: int | None = None) -> PageProducer:
    """Prepared pages of ``branch``'s source, produced by worker processes: ``count``
    file shards or feed converters (by default as many as ``shard_count`` says)."""

    async def pages(checkpoint: dict[str, Any] | None, full: bool) -> AsyncIterator[PreparedPage]:
        shards = count or shard_count(branch)
        feed = isinstance(branch.source, OaiSource) and shards > 1
        start = _start_feed if feed else _start_shards
        receivers, processes = start(branch, checkpoint, full, shards)
        try:
            # Page n comes from shard n % shards: the shards' pages in file order.
            for turn in itertools.count():
                kind, value = await asyncio.to_thread(_receive, receivers[turn % shards])
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


def _start_shards(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
                  count: int) -> tuple[list[Connection], list[BaseProcess]]:
    """``count`` workers, each preparing its share of the pages; their receiving ends."""
    receivers: list[Connection] = []
    processes: list[BaseProcess] = []
    for index in range(count):
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        processes.append(_spawn(_run, f"harvest-{branch.code}-{index}",
                                branch, checkpoint, full, sender, Shard(index, count)))
        sender.close()
        receivers.append(receiver)
    return receivers, processes


def _start_feed(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
                count: int) -> tuple[list[Connection], list[BaseProcess]]:
    """A fetcher dealing raw pages to ``count`` converters; the converters' receiving ends."""
    receivers: list[Connection] = []
    processes: list[BaseProcess] = []
    raw_senders: list[Connection] = []
    for index in range(count):
        raw_receiver, raw_sender = _CONTEXT.Pipe(duplex=False)
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        processes.append(_spawn(_convert, f"harvest-{branch.code}-convert-{index}",
                                branch, raw_receiver, sender))
        raw_receiver.close()
        sender.close()
        receivers.append(receiver)
        raw_senders.append(raw_sender)
    processes.append(_spawn(_fetch, f"harvest-{branch.code}-fetch",
                            branch, checkpoint, full, raw_senders))
    for raw_sender in raw_senders:
        raw_sender.close()
    return receivers, processes


def _spawn(target: Callable[..., None], name: str, *args: Any) -> BaseProcess:
    process = _CONTEXT.Process(target=target, args=args, name=name, daemon=True)
    process.start()
    return process


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


class _Outbox:
    """The sending end of a pipe with a thread of its own: ``send`` returns as soon as the
    message is queued (waiting only while ``depth`` messages are), so a process goes on
    with its next page while the receiver is still busy with the last, instead of
    waiting for it at every page (a pipe holds far less than a page); messages still
    arrive in order.

    Once the receiver is gone, ``send`` raises BrokenPipeError; ``close`` sends what is
    queued, then closes the pipe.
    """

    _CLOSE = object()

    def __init__(self, connection: Connection, depth: int = 1) -> None:
        self._connection = connection
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._broken = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (message := self._queue.get()) is not self._CLOSE:
            if not self._broken:
                try:
                    self._connection.send(message)
                except (BrokenPipeError, ConnectionResetError):
                    self._broken = True

    def send(self, message: Any) -> None:
        """Queue ``message`` for the receiver (BrokenPipeError if it is gone)."""
        if self._broken:
            raise BrokenPipeError("the receiving process is gone")
        self._queue.put(message)

    def close(self) -> None:
        """Send what is queued, then close the pipe."""
        self._queue.put(self._CLOSE)
        self._thread.join()
        self._connection.close()


def _run(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
         connection: Connection, shard: Shard) -> None:
    """The worker process's entry point."""
    collect_rarely()
    sender = _Outbox(connection)
    try:
        with _failures_reported(sender.send, "worker"):
            asyncio.run(_produce(branch, checkpoint, full, sender, shard))
    finally:
        sender.close()


@contextmanager
def _failures_reported(report: Report, role: str) -> Iterator[None]:
    """A harvest process's work: once its receiver is gone (the writer stopped) it stops
    quietly; a bug is reported as this source's failure, and the other sources go on."""
    try:
        yield
    except (BrokenPipeError, ConnectionResetError):
        pass
    except Exception:
        report(("error", f"harvest {role} failed:\n" + traceback.format_exc()))


async def _produce(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
                   sender: _Outbox, shard: Shard) -> None:
    async with aiohttp.ClientSession() as http:
        harvester = make_harvester(branch, http, shard)
        try:
            async for page in harvester.harvest(checkpoint, full=full):
                # Queueing waits while the writer is busy; off the loop, so fetching goes on.
                await asyncio.to_thread(sender.send, ("page", prepare_page(page)))
        except SOURCE_FAILURES as exc:
            sender.send(("error", str(exc) or type(exc).__name__))
            return
    sender.send(("done", None))


def _fetch(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
           connections: list[Connection]) -> None:
    """The fetching process's entry point: raw pages to the converters in turn."""
    senders = [_Outbox(connection) for connection in connections]
    turn = itertools.count()

    def deal(message: tuple[str, Any]) -> None:
        """Send ``message`` to the converter whose turn it is."""
        senders[next(turn) % len(senders)].send(message)

    try:
        with _failures_reported(deal, "fetcher"):
            asyncio.run(_fetch_pages(branch, checkpoint, full, deal))
    finally:
        for sender in senders:
            sender.close()


async def _fetch_pages(branch: Branch, checkpoint: dict[str, Any] | None, full: bool,
                       deal: Report) -> None:
    async with aiohttp.ClientSession() as http:
        harvester = make_harvester(branch, http)
        assert isinstance(harvester, OaiHarvester)
        try:
            async for raw in harvester.harvest_raw(checkpoint, full=full):
                # Queueing waits while that converter is busy; off the loop, so the next
                # page's request goes on.
                await asyncio.to_thread(deal, ("raw", raw))
        except SOURCE_FAILURES as exc:
            deal(("error", str(exc) or type(exc).__name__))
            return
    deal(("done", None))


def _convert(branch: Branch, receiver: Connection, connection: Connection) -> None:
    """A converting process's entry point: raw pages in, prepared pages out, in order."""
    collect_rarely()
    converter = page_converter(branch)
    sender = _Outbox(connection)
    try:
        with _failures_reported(sender.send, "converter"):
            while True:
                try:
                    kind, value = receiver.recv()
                except EOFError:
                    # The list ended on another converter's page, or the fetcher died:
                    # either way the writer is told only if it still waits for this turn.
                    sender.send(("error", "the harvest fetcher stopped before finishing"))
                    return
                if kind == "raw":
                    sender.send(("page", prepare_page(converter.convert(value))))
                else:
                    sender.send((kind, value))
                    return
    finally:
        receiver.close()
        sender.close()
