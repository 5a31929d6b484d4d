"""A full rebuild's documents, read, analyzed and encoded in worker processes.

Indonesian analysis is pure Python and most of the cost of a build, so a rebuild splits
the live works into ranges of ids and hands the ranges to worker processes. A worker
reads its range in a session of its own (display records and their custody), builds the
search documents, analyzes them and encodes them in the engine's own form (for tantivy,
the JSON its writer parses in Rust), so the main process only passes encoded documents to
the engine's writer, whose indexing threads run beside the workers.

Workers are forked: they inherit the store, the local-content matcher, the custody reader
and the warm analysis caches without pickling any of them. Each worker drops the store's
inherited connections first (SQLAlchemy's rule for forked processes) and opens its own;
none touches the engine (whose threads a fork does not copy). A worker's error is raised
again in the main process, and the rebuild stops before its index replaces the old one.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from multiprocessing.util import Finalize
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.availability import Custody
from union.collector import collect_rarely
from union.local_content import LocalMatcher
from union.search.fields import IndexedDocument, prepare
from union.search.work_documents import work_document
from union.store.engine import Store
from union.store.models import WorkRow

__all__ = [
    "CustodyReader",
    "Encoded",
    "WorkReading",
    "encode_range",
    "encode_works",
    "encoded_ranges",
    "id_ranges",
]

#: Reads the sync custody states of the copies of the works with these display records.
CustodyReader = Callable[[Session, Sequence[Mapping[str, Any]]], Custody]
#: One document as (id, the engine's encoded form of it).
Encoded = tuple[str, Any]
# Ranges each worker may have finished or under way before the engine takes them.
_READ_AHEAD = 2


@dataclass(frozen=True, slots=True)
class WorkReading:
    """Everything needed to turn a range of works into encoded documents: the store, the
    local-content matcher, the custody reader (optional) and the engine's encoder."""

    store: Store
    local_matcher: LocalMatcher
    custody: CustodyReader | None
    encode: Callable[[IndexedDocument], Any]


def id_ranges(store: Store, batch: int) -> list[tuple[int, int]]:
    """The ids of the store's live works as (first, last) ranges of ``batch`` works."""
    with store.read() as session:
        ids = session.scalars(
            select(WorkRow.id).where(WorkRow.status == "live").order_by(WorkRow.id)
        ).all()
    return [(ids[start], ids[min(start + batch, len(ids)) - 1])
            for start in range(0, len(ids), batch)]


def encode_works(works: Iterable[tuple[int, Mapping[str, Any]]], local_matcher: LocalMatcher,
                 custody: Custody | None, encode: Callable[[IndexedDocument], Any]
                 ) -> list[Encoded]:
    """The encoded documents of (work id, display record) pairs (pure)."""
    return [(str(work_id), encode(prepare(work_document(work_id, display, local_matcher, custody))))
            for work_id, display in works]


def encode_range(reading: WorkReading, ids: tuple[int, int]) -> list[Encoded]:
    """The encoded documents of the live works with ids in ``ids`` (inclusive), in id
    order, read in their state now."""
    first, last = ids
    with reading.store.read() as session:
        rows = session.execute(
            select(WorkRow.id, WorkRow.display)
            .where(WorkRow.status == "live", WorkRow.id >= first, WorkRow.id <= last)
            .order_by(WorkRow.id)
        ).all()
        works = [(work_id, display) for work_id, display in rows if display]
        displays = [display for _, display in works]
        custody = reading.custody(session, displays) if reading.custody and works else None
    return encode_works(works, reading.local_matcher, custody, reading.encode)


def encoded_ranges(reading: WorkReading, ranges: Sequence[tuple[int, int]],
                   workers: int) -> Iterator[list[Encoded]]:
    """The encoded documents of each range, in order, from ``workers`` forked processes
    (in this process when ``workers`` is 0)."""
    if workers < 1:
        for ids in ranges:
            yield encode_range(reading, ids)
        return
    pool = multiprocessing.get_context("fork").Pool(
        workers, initializer=_start_worker, initargs=(reading,))
    pending: deque[AsyncResult[list[Encoded]]] = deque()
    try:
        for ids in ranges:
            pending.append(pool.apply_async(_encode_in_worker, (ids,)))
            # A bounded read-ahead: finished ranges wait in memory only this far ahead
            # of the engine.
            if len(pending) > _READ_AHEAD * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


# The reading a worker process was started with. Pool workers receive their tasks by
# pickling; the reading (a store, a matcher with its caches) cannot be pickled, so each
# forked worker keeps the one it inherited here.
_worker_reading: list[WorkReading] = []


def _start_worker(reading: WorkReading) -> None:
    collect_rarely()
    reading.store.engine.dispose(close=False)
    Finalize(reading.store, reading.store.dispose, exitpriority=1)
    _worker_reading.append(reading)


def _encode_in_worker(ids: tuple[int, int]) -> list[Encoded]:
    return encode_range(_worker_reading[0], ids)
