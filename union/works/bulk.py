"""The full rebuild: every live record keyed, blocked, matched and clustered, on every
core.

Used when most of the catalogue changed at once (the first harvest, a full re-harvest):
looking candidates up record by record would then cost more than recomputing. The
records are dealt out to shards, one per core, each a worker process that reads its
records once and keeps them with their match views through the three rounds:

1. every shard reads its records and returns their blocking keys;
2. the candidate pairs (records sharing a key) are dealt to the shards, each pair to a
   shard that has read both of its records, or one of them (the other's row travels with
   the pair, and the shard keeps it; see :mod:`union.works.dealing`); the shards decide
   them and return the matches;
3. the match graph (matches and staff "same" overrides) is cut into its connected parts,
   and each part goes to the shard holding most of its records, which partitions it and
   describes its works.

Deciding a pair needs nothing but its two records, and partitioning nothing outside a
part of the match graph, so the pairs and the parts run independently and together equal
a clustering of the whole catalogue, with the work shared evenly even when the candidate
graph holds one huge part (chains of shared keys across a large catalogue do). Below
``pool_from`` records (20,000 unless told) a single in-process shard does every round.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import traceback
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Protocol

import orjson

from union.bib_record import BibRecord
from union.dedup.pairwise import MatchView, decide_views, read_match_view
from union.dedup.title_comparison import BLOCKING_LEVELS, title_level
from union.works.candidates import candidate_pairs, view_keys
from union.works.clustering import Edge as MatchEdge
from union.works.dealing import (
    PairTask,
    PartTask,
    Readers,
    Row,
    deal_rows,
    pair_tasks,
    part_tasks,
    row_batches,
)
from union.works.display import Member
from union.works.matching import group_works

__all__ = ["RebuildResult", "RebuildSink", "rebuild_clusters"]

Edge = tuple[int, int, float, str]
Work = tuple[frozenset[int], str, str]
# Below this many records, worker processes cost more (start-up) than they save.
_POOL_FROM = 20000
_DONE = object()


@dataclass(slots=True)
class RebuildResult:
    """Keys per record; matching pairs as (a, b, score, decision JSON); works as
    (members, display JSON, display hash)."""

    keys: dict[int, tuple[str, ...]]
    edges: list[Edge]
    works: list[Work]


class Shard:
    """The records a worker process has read, with their match views."""

    def __init__(self) -> None:
        self.members: dict[int, tuple[int, Member]] = {}
        self.views: dict[int, MatchView] = {}

    def _read(self, rows: Sequence[Row]) -> None:
        for rid, source, code, local, data in rows:
            bib = BibRecord.from_json(data)
            self.members[rid] = (source, Member(rid, code, local, bib))
            self.views[rid] = read_match_view(bib)

    def load(self, rows: Sequence[Row]) -> list[tuple[int, tuple[str, ...]]]:
        """Read and keep ``rows``; return their blocking keys."""
        self._read(rows)
        return [(row[0], tuple(view_keys(self.views[row[0]]))) for row in rows]

    def decide(self, task: PairTask) -> list[Edge]:
        """Decide the pairs of ``task``; return the matching ones with their evidence."""
        self._read(task.foreign)
        views = self.views
        matches = []
        for a, b in task.pairs:
            # Most candidate pairs share a key and nothing else: their titles tell, at a
            # fraction of the cost of a full decision (which would only say "blocked").
            level = title_level(views[a], views[b])
            if level in BLOCKING_LEVELS:
                continue
            decision = decide_views(views[a], views[b], level)
            if decision.same:
                matches.append((a, b, decision.score, _dump(decision.to_dict())))
        return matches

    def describe(self, task: PartTask) -> list[Work]:
        """Partition the parts of ``task`` into works and describe them."""
        self._read(task.foreign)
        members = {rid: self.members[rid] for rid in task.ids}
        edges = [MatchEdge(a, b, score) for a, b, score in task.matches]
        edges.extend(MatchEdge(a, b, forced=True) for a, b in task.forced)
        return group_works(members, edges, task.never, task.priority, self.views)


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
        dealt = deal_rows(rows, len(shards), titles)
        readers = Readers(dealt)
        keys: dict[int, tuple[str, ...]] = {}
        blocks: dict[str, list[int]] = defaultdict(list)
        idle: deque[Iterator[None]] = deque()
        # The blocks grow, and the keys are written, as the shards answer: the main
        # process would otherwise do it alone once they are done.
        for answer in _run(shards, "load", [row_batches(part) for part in dealt], idle):
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
        edges: list[Edge] = []
        matches: list[tuple[int, int, float]] = []
        for answer in _run(shards, "decide", pair_tasks(readers, by_id, pairs),
                           idle):
            matches.extend((a, b, score) for a, b, score, _ in answer)
            if sink is not None:
                idle.append(sink.edges(answer))
            else:
                edges.extend(answer)
        del pairs
        say(f"matched: {len(matches)} pairs")
        works: list[Work] = []
        for answer in _run(shards, "describe",
                           part_tasks(readers, by_id, matches, forced, never,
                                      tuple(priority)), idle):
            works.extend(answer)
        for step in idle:  # what is left once the workers are done
            deque(step, maxlen=0)
        say(f"works: {len(works)}")
        return RebuildResult({} if sink is not None else keys, edges, works)
    finally:
        for shard in shards:
            shard.close()
