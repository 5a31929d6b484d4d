"""The full rebuild: every live record keyed, blocked, matched and clustered, on every
core.

Used when most of the catalogue changed at once (the first harvest, a full re-harvest):
looking candidates up record by record would then cost more than recomputing. The
records are dealt out to shards, one per core, each a worker process that reads its
records once and keeps them with their match views between the two rounds:

1. every shard reads its records and returns their blocking keys;
2. the candidate graph (records linked by a shared key or a staff "same" override) is
   cut into its connected parts, and each part goes, with its candidate pairs, to the
   shard holding most of its records (the others travel with it as JSON text). The shard
   decides the pairs, partitions the part and describes its works.

Clustering needs nothing outside such a part, so the parts run independently and
together equal a clustering of the whole catalogue. Below ``pool_from`` records (20,000
unless told) a single in-process shard does both rounds.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import traceback
import zlib
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

import orjson

from union.bib_record import BibRecord
from union.dedup.pairwise import MatchView, read_match_view
from union.text.folding import fold_word
from union.works.candidates import candidate_pairs, view_keys
from union.works.components import connected_parts
from union.works.display import Member
from union.works.matching import cluster_group

__all__ = ["RebuildResult", "RebuildSink", "Row", "rebuild_clusters"]

#: (record id, source id, branch code, local id, bib record JSON text)
Row = tuple[int, int, str, str, str]
Edge = tuple[int, int, float, str]
Work = tuple[frozenset[int], str, str]
# Below this many records, worker processes cost more (start-up) than they save.
_POOL_FROM = 20000
_CHUNK = 2000
_DONE = object()


@dataclass(slots=True)
class RebuildResult:
    """Keys per record; matching pairs as (a, b, score, decision JSON); works as
    (members, display JSON, display hash)."""

    keys: dict[int, tuple[str, ...]]
    edges: list[Edge]
    works: list[Work]


@dataclass(frozen=True, slots=True)
class _Task:
    """Connected parts of the candidate graph for one shard: the ids it holds, the rows
    of the records it does not, the candidate pairs and the staff overrides."""

    held: list[int]
    foreign: list[Row]
    pairs: list[tuple[int, int]]
    forced: list[tuple[int, int]]
    never: list[tuple[int, int]]
    priority: tuple[str, ...]


class Shard:
    """The records of one shard with their match views (lives in a worker process)."""

    def __init__(self) -> None:
        self.members: dict[int, tuple[int, Member]] = {}
        self.views: dict[int, MatchView] = {}

    def _read(self, rows: Sequence[Row]) -> tuple[dict[int, tuple[int, Member]],
                                                  dict[int, MatchView]]:
        members, views = {}, {}
        for rid, source, code, local, data in rows:
            bib = BibRecord.from_dict(orjson.loads(data))
            members[rid] = (source, Member(rid, code, local, bib))
            views[rid] = read_match_view(bib)
        return members, views

    def load(self, rows: Sequence[Row]) -> list[tuple[int, tuple[str, ...]]]:
        """Read and keep ``rows``; return their blocking keys."""
        members, views = self._read(rows)
        self.members.update(members)
        self.views.update(views)
        return [(rid, tuple(view_keys(view))) for rid, view in views.items()]

    def cluster(self, task: _Task) -> tuple[list[Edge], list[Work]]:
        """Cluster the parts of ``task``; return matching pairs and described works."""
        members, views = self._read(task.foreign)
        for rid in task.held:
            members[rid], views[rid] = self.members[rid], self.views[rid]
        result = cluster_group(members, task.pairs, task.forced, task.never, task.priority,
                               views)
        edges = [(a, b, d.score, _dump(d.to_dict())) for (a, b), d in result.decisions.items()
                 if d.same]
        return edges, result.works


def _dump(value: Any) -> str:
    return orjson.dumps(value).decode()


def _serve(connection: Connection) -> None:
    """A worker process: run the shard's methods as the main process asks."""
    # The shard keeps hundreds of thousands of small objects alive, and the cyclic
    # collector would traverse them all, over and over; they hold no cycles.
    gc.disable()
    shard = Shard()
    while True:
        method, argument = connection.recv()
        if method == "stop":
            # Straight out: tearing down a heap of hundreds of thousands of records object
            # by object would cost seconds of CPU that the main process still needs.
            connection.close()
            os._exit(0)
        try:
            connection.send(("ok", getattr(shard, method)(argument)))
        except Exception:  # report it in the main process rather than die silently
            connection.send(("error", traceback.format_exc()))


class _Remote:
    """A shard in a worker process; one request in flight at a time (a second would
    deadlock two processes each blocked sending a large message to the other)."""

    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.busy = False

    def send(self, method: str, argument: Any) -> None:
        self.connection.send((method, argument))
        self.busy = True

    def ready(self) -> bool:
        """Whether an answer is waiting."""
        return self.connection.poll()

    def receive(self) -> Any:
        status, value = self.connection.recv()
        self.busy = False
        if status == "error":
            raise RuntimeError(f"clustering worker failed:\n{value}")
        return value

    def close(self) -> None:
        self.connection.send(("stop", None))
        self.process.join(timeout=10)


class _Local:
    """A shard in this process, with the same interface."""

    def __init__(self) -> None:
        self.shard = Shard()
        self.result: Any = None
        self.busy = False

    def send(self, method: str, argument: Any) -> None:
        self.result = getattr(self.shard, method)(argument)
        self.busy = True

    def ready(self) -> bool:
        """Always: the work was done when it was sent."""
        return True

    def receive(self) -> Any:
        self.busy = False
        return self.result

    def close(self) -> None:
        pass


class RebuildSink(Protocol):
    """Takes the results of a rebuild as they come, in small steps that the main process
    runs while the workers compute (writing them to the store, say)."""

    def keys(self, keys: dict[int, tuple[str, ...]]) -> Iterator[None]:
        """Take some records' blocking keys (each record's once), a step at a time."""
        ...

    def edges(self, edges: list[Edge]) -> Iterator[None]:
        """Take some matching pairs, a step at a time."""
        ...


def _run(shards: Sequence[_Remote | _Local], method: str,
         work: Sequence[Sequence[Any]],
         idle: deque[Iterator[None]] | None = None) -> Iterator[Any]:
    """Send ``work[i]``'s items, in order, to shard i; yield every answer as it comes.
    While no answer is waiting, run a step of the ``idle`` work."""
    queues = [list(reversed(items)) for items in work]
    for shard, queue in zip(shards, queues, strict=True):
        if queue:
            shard.send(method, queue.pop())
    while any(s.busy for s in shards):
        ready = [i for i, s in enumerate(shards) if s.busy and s.ready()]
        if not ready:
            if idle:
                if next(idle[0], _DONE) is _DONE:
                    idle.popleft()
                continue
            wait([s.connection for s in shards if isinstance(s, _Remote) and s.busy])
            continue
        for i in ready:
            yield shards[i].receive()
            if queues[i]:
                shards[i].send(method, queues[i].pop())


def rebuild_clusters(
    rows: Sequence[Row],
    forced: Sequence[tuple[int, int]] = (),
    never: Sequence[tuple[int, int]] = (),
    priority: Sequence[str] = (),
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    sink: RebuildSink | None = None,
    titles: Mapping[int, str] | None = None,
    pool_from: int = _POOL_FROM,
) -> RebuildResult:
    """Cluster every record of ``rows`` from scratch (see the module docstring).

    With a ``sink``, keys and matching pairs go to it as they come (while the workers go
    on computing) instead of into the result. With the records' ``titles``, records are
    dealt to shards by title, so that most matching records are read by one shard.
    Worker processes start from ``pool_from`` records."""
    count = workers or os.cpu_count() or 1
    say = progress or (lambda _message: None)
    if count > 1 and len(rows) >= pool_from:
        context = multiprocessing.get_context("spawn")
        shards: list[_Remote | _Local] = [_Remote(context) for _ in range(count)]
    else:
        shards = [_Local()]
    try:
        dealt = _deal(rows, len(shards), titles)
        shard_of = {row[0]: i for i, part in enumerate(dealt) for row in part}
        keys: dict[int, tuple[str, ...]] = {}
        blocks: dict[str, list[int]] = defaultdict(list)
        idle: deque[Iterator[None]] = deque()
        # The blocks grow, and the keys are written, as the shards answer: the main
        # process would otherwise do it alone once they are done.
        for answer in _run(shards, "load", [_batches(part) for part in dealt], idle):
            for rid, record_keys in answer:
                keys[rid] = record_keys
                for key in record_keys:
                    blocks[key].append(rid)
            if sink is not None:
                idle.append(sink.keys(dict(answer)))
        say(f"keys: {len(keys)} records")
        pairs = candidate_pairs(blocks)
        del blocks
        say(f"candidates: {len(pairs)} pairs")
        by_id = {row[0]: row for row in rows}
        tasks: list[list[_Task]] = [[] for _ in shards]
        for target, task in _tasks(by_id, shard_of, pairs, forced, never, tuple(priority)):
            tasks[target].append(task)
        edges: list[Edge] = []
        works: list[Work] = []
        matched = 0
        for task_edges, task_works in _run(shards, "cluster", tasks, idle):
            matched += len(task_edges)
            if sink is not None:
                idle.append(sink.edges(task_edges))
            else:
                edges.extend(task_edges)
            works.extend(task_works)
        for step in idle:  # what is left once the workers are done
            deque(step, maxlen=0)
        say(f"matched: {matched} pairs, {len(works)} works")
        return RebuildResult({} if sink is not None else keys, edges, works)
    finally:
        for shard in shards:
            shard.close()


_FIRST_WORD = re.compile(r"[^\W\d_]{4,}")


def _deal(rows: Sequence[Row], count: int, titles: Mapping[int, str] | None) -> list[list[Row]]:
    """Rows per shard: by the first letters of the title's first long word, folded
    (capitals and old spelling alike), so that a village copy ("SOEMBER KONFLIK") is
    read by the shard that reads the city's record ("Sumber konflik"); a record whose
    match is read elsewhere is read twice. Round robin without titles."""
    if titles is None or count == 1:
        return [list(rows[i::count]) for i in range(count)]
    dealt: list[list[Row]] = [[] for _ in range(count)]
    for row in rows:
        found = _FIRST_WORD.search(titles.get(row[0], "").lower())
        prefix = fold_word(found.group(0))[:3] if found else ""
        dealt[zlib.crc32(prefix.encode()) % count].append(row)
    return dealt


def _batches(rows: list[Row]) -> list[list[Row]]:
    return [rows[start:start + _CHUNK] for start in range(0, len(rows), _CHUNK)]


def _tasks(by_id: dict[int, Row], shard_of: dict[int, int], pairs: set[tuple[int, int]],
           forced: Sequence[tuple[int, int]], never: Sequence[tuple[int, int]],
           priority: tuple[str, ...]) -> Iterator[tuple[int, _Task]]:
    """Connected parts of the candidate graph, each for the shard holding most of its
    records, packed into tasks of about ``_CHUNK`` records: (shard, task)."""
    forced = [p for p in forced if p[0] in by_id and p[1] in by_id]
    parts = connected_parts(by_id, [*pairs, *forced])
    part_of = {rid: i for i, part in enumerate(parts) for rid in part}
    pairs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in pairs:
        pairs_of[part_of[p[0]]].append(p)
    forced_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in forced:
        forced_of[part_of[p[0]]].append(p)
    never_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in never:
        if a in part_of and b in part_of and part_of[a] == part_of[b]:
            never_of[part_of[a]].append((a, b))
    open_tasks: dict[int, _Task] = {}
    for i, part in enumerate(parts):
        owners: dict[int, int] = defaultdict(int)
        for rid in part:
            owners[shard_of[rid]] += 1
        target = max(owners, key=lambda s: (owners[s], -s))
        task = open_tasks.setdefault(target, _Task([], [], [], [], [], priority))
        for rid in part:
            if shard_of[rid] == target:
                task.held.append(rid)
            else:
                task.foreign.append(by_id[rid])
        task.pairs.extend(pairs_of.get(i, ()))
        task.forced.extend(forced_of.get(i, ()))
        task.never.extend(never_of.get(i, ()))
        if len(task.held) + len(task.foreign) >= _CHUNK:
            yield target, open_tasks.pop(target)
    for target, task in open_tasks.items():
        yield target, task
