"""The node's search index kept in step with the store (the edge between the two).

Every web node keeps its own index and follows the store's change log (``entity='work'``
rows, which the clusterer writes whenever a work's output changes) from a cursor kept in
the index directory, so several nodes can share one PostgreSQL. A batch of changed works
is read in its *current* state (a live work is (re)added, a merged or deleted one
removed), committed to the engine once, and only then is the cursor moved. A crash
between the two re-applies the batch on the next catch-up, which is harmless: adding a
document replaces it and deleting a missing one does nothing.

A full rebuild indexes every live work into a fresh directory beside the index and swaps
it in, with its cursor set to the change log's high-water mark taken before reading, so
changes that land meanwhile are applied by the next catch-up.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.local_content import LocalMatcher
from union.search.bulk import CustodyReader, WorkReading, encoded_ranges, id_ranges
from union.search.engine import SearchEngine, open_engine
from union.search.work_documents import work_document
from union.store.change_log import high_water
from union.store.engine import Store
from union.store.models import ChangeRow, WorkRow

__all__ = ["CURSOR_FILE", "CatchUp", "LiveIndex", "read_cursor", "rebuild_index"]

#: The file in the index directory that holds the last change-log seq applied.
CURSOR_FILE = "union-cursor.json"
#: Changed works read, indexed and committed together.
BATCH = 2000
#: Most worker processes a rebuild starts by default: past this the main process, which
#: hands every document to the engine's writer, is the limit.
MAX_WORKERS = 8
# Stores a forked worker cannot open again: each connection is a new, empty database.
_PRIVATE_STORES = frozenset({"sqlite://", "sqlite:///:memory:"})


@dataclass(frozen=True, slots=True)
class CatchUp:
    """What one catch-up or rebuild did: works (re)added and removed, the cursor
    reached, and how long it took."""

    added: int = 0
    deleted: int = 0
    cursor: int = 0
    seconds: float = 0.0


def read_cursor(directory: Path) -> int:
    """The last change-log seq applied to the index in ``directory`` (0 if none)."""
    path = directory / CURSOR_FILE
    if not path.exists():
        return 0
    return int(json.loads(path.read_text(encoding="utf-8"))["seq"])


def _write_cursor(directory: Path, seq: int) -> None:
    # Write aside, flush, then rename: a crash leaves the old cursor or the new one.
    path = directory / CURSOR_FILE
    partial = path.with_suffix(".tmp")
    with partial.open("w", encoding="utf-8") as out:
        json.dump({"seq": seq}, out)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


class LiveIndex:
    """``engine`` (whose index lives in ``directory``) following the works of ``store``.

    ``custody`` reads the sync custody states (optional); ``batch`` is how many changed
    works one engine commit takes. :meth:`catch_up` may be called from any thread; calls
    are serialized.
    """

    def __init__(self, engine: SearchEngine, directory: str | Path, store: Store,
                 local_matcher: LocalMatcher, *, custody: CustodyReader | None = None,
                 batch: int = BATCH) -> None:
        self.engine = engine
        self.directory = Path(directory)
        self.store = store
        self.local_matcher = local_matcher
        self.custody = custody
        self.batch = batch
        self._lock = threading.Lock()

    @property
    def cursor(self) -> int:
        """The last change-log seq this index reflects."""
        return read_cursor(self.directory)

    def catch_up(self) -> CatchUp:
        """Apply every work change logged since the cursor, one commit per batch."""
        with self._lock:
            started = time.perf_counter()
            after = read_cursor(self.directory)
            upto = high_water(self.store)
            added = deleted = 0
            while after < upto:
                with self.store.read() as session:
                    changes = session.execute(
                        select(ChangeRow.seq, ChangeRow.entity_id)
                        .where(ChangeRow.entity == "work", ChangeRow.seq > after,
                               ChangeRow.seq <= upto)
                        .order_by(ChangeRow.seq).limit(self.batch)
                    ).all()
                    reached = changes[-1][0] if len(changes) == self.batch else upto
                    ids = sorted({work_id for _, work_id in changes})
                    live, gone = self._read_works(session, ids)
                if gone:
                    self.engine.delete(gone)
                if live:
                    self.engine.add(live)
                self.engine.commit()
                _write_cursor(self.directory, reached)
                added, deleted, after = added + len(live), deleted + len(gone), reached
            return CatchUp(added, deleted, after, time.perf_counter() - started)

    def _read_works(self, session: Session, ids: Sequence[int]) -> tuple[list[Any], list[str]]:
        """The documents of the live works among ``ids``, and the ids of the others."""
        rows = session.execute(
            select(WorkRow.id, WorkRow.status, WorkRow.display).where(WorkRow.id.in_(ids))
        ).all()
        shown = [display for _, status, display in rows if status == "live" and display]
        custody = self.custody(session, shown) if self.custody and shown else None
        live = [work_document(wid, display, self.local_matcher, custody)
                for wid, status, display in rows if status == "live" and display]
        indexed = {int(doc.id) for doc in live}
        return live, [str(wid) for wid in ids if wid not in indexed]


def rebuild_index(engine_name: str, directory: str | Path, store: Store,
                  local_matcher: LocalMatcher, *, custody: CustodyReader | None = None,
                  batch: int = BATCH, workers: int | None = None) -> CatchUp:
    """Index every live work of ``store`` with engine ``engine_name`` into a fresh
    directory and put it in place of ``directory`` (which may hold an old index, of any
    engine or layout, or nothing).

    ``workers`` processes read and analyze the works (see :mod:`union.search.bulk`);
    by default one per core (at most :data:`MAX_WORKERS`) once there is more than one
    ``batch`` of works, none for fewer or for an in-memory store.
    """
    started = time.perf_counter()
    target = Path(directory)
    fresh = target.with_name(f"{target.name}.rebuilding")
    shutil.rmtree(fresh, ignore_errors=True)
    upto = high_water(store)
    ranges = id_ranges(store, batch)
    if workers is None:
        shared = store.url not in _PRIVATE_STORES
        several = len(ranges) > 1 and shared
        workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS) if several else 0
    engine = open_engine(engine_name, fresh)
    added = 0
    try:
        reading = WorkReading(store, local_matcher, custody, engine.encode_document)
        for docs in encoded_ranges(reading, ranges, workers):
            engine.add_encoded(docs, new_ids=True)
            added += len(docs)
        engine.commit()
    finally:
        engine.close()
    _write_cursor(fresh, upto)
    old = target.with_name(f"{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.replace(old)
    fresh.replace(target)
    shutil.rmtree(old, ignore_errors=True)
    return CatchUp(added, 0, upto, time.perf_counter() - started)
