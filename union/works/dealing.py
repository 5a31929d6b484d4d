"""How the full rebuild shares its work between shards (pure): which shard reads a
record, which decides a candidate pair and which partitions a part of the match graph,
and which records' rows travel to a shard that has not read them.

Reading a record (its JSON and its match view) costs about as much as deciding
:data:`READ_COST` pairs, so work goes where its records already are, and a row travels
only when that evens out the shards' work.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from union.text.folding import fold_word
from union.works.components import connected_parts

__all__ = ["CHUNK", "PAIRS", "READ_COST", "PairTask", "PartTask", "Readers", "Row",
           "deal_rows", "pair_tasks", "part_tasks", "row_batches"]

#: (record id, source id, branch code, local id, bib record JSON text)
Row = tuple[int, int, str, str, str]
#: Records per reading or partitioning task.
CHUNK = 2000
#: Pairs per deciding task.
PAIRS = 10000
#: What reading one record costs, in pairs decided.
READ_COST = 4

_FIRST_WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True, slots=True)
class PairTask:
    """Candidate pairs for one shard to decide, with the rows of the records among them
    that it has not read."""

    foreign: list[Row]
    pairs: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class PartTask:
    """Connected parts of the match graph for one shard to partition and describe: the
    ids of their records, the rows of those it has not read, their matches (with
    scores), and the staff overrides among them."""

    ids: list[int]
    foreign: list[Row]
    matches: list[tuple[int, int, float]]
    forced: list[tuple[int, int]]
    never: list[tuple[int, int]]
    priority: tuple[str, ...]


class Readers:
    """Which shard has read which record: the shard it was dealt to, and every shard its
    row was sent to since (a shard keeps what it reads)."""

    def __init__(self, dealt: Sequence[Sequence[Row]]) -> None:
        self.shard_of = {row[0]: i for i, part in enumerate(dealt) for row in part}
        self.guests: list[set[int]] = [set() for _ in dealt]

    @property
    def count(self) -> int:
        """How many shards there are."""
        return len(self.guests)

    def reads(self, shard: int, record: int) -> bool:
        """Whether ``shard`` has read ``record``, or will have before its next task."""
        return self.shard_of[record] == shard or record in self.guests[shard]


def deal_rows(rows: Sequence[Row], count: int,
              titles: Mapping[int, str] | None) -> list[list[Row]]:
    """Rows per shard: by the first letters of the title's first long word, folded
    (capitals and old spelling alike), so that a village copy ("SOEMBER KONFLIK") is
    read by the shard that reads the city's record ("Sumber konflik"). The commonest
    prefixes are dealt first, each to the shard with the fewest rows so far, so the
    shards read about as many rows each. Round robin without titles."""
    if titles is None or count == 1:
        return [list(rows[i::count]) for i in range(count)]
    prefixes = [_title_prefix(titles.get(row[0], "")) for row in rows]
    sizes = Counter(prefixes)
    load = [0] * count
    shard_of: dict[str, int] = {}
    for prefix, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        shard_of[prefix] = target = min(range(count), key=lambda s: (load[s], s))
        load[target] += size
    dealt: list[list[Row]] = [[] for _ in range(count)]
    for row, prefix in zip(rows, prefixes, strict=True):
        dealt[shard_of[prefix]].append(row)
    return dealt


def _title_prefix(title: str) -> str:
    found = _FIRST_WORD.search(title.lower())
    return fold_word(found.group(0))[:3] if found else ""


def row_batches(rows: list[Row]) -> list[list[Row]]:
    """``rows`` in reading tasks of :data:`CHUNK`."""
    return [rows[start:start + CHUNK] for start in range(0, len(rows), CHUNK)]


def pair_tasks(readers: Readers, by_id: Mapping[int, Row],
               pairs: set[tuple[int, int]]) -> list[list[PairTask]]:
    """Candidate pairs per shard, in tasks of about :data:`PAIRS` pairs.

    A pair goes to the shard that has read both records; otherwise to the one of its two
    shards with less work so far (reading counted), which is sent the row it lacks."""
    within: list[list[tuple[int, int]]] = [[] for _ in range(readers.count)]
    across = []
    shard_of = readers.shard_of
    for p in pairs:
        if shard_of[p[0]] == shard_of[p[1]]:
            within[shard_of[p[0]]].append(p)
        else:
            across.append(p)
    load = [len(shard_pairs) for shard_pairs in within]
    crossing: list[list[tuple[int, int]]] = [[] for _ in range(readers.count)]
    for p in sorted(across):
        costs = {s: 1 + READ_COST * sum(not readers.reads(s, r) for r in p)
                 for s in (shard_of[p[0]], shard_of[p[1]])}
        target = min(costs, key=lambda s: (load[s] + costs[s], s))
        load[target] += costs[target]
        crossing[target].append(p)
        readers.guests[target].update(r for r in p if shard_of[r] != target)
    tasks: list[list[PairTask]] = [[] for _ in range(readers.count)]
    for shard in range(readers.count):
        tasks[shard] = [PairTask([], within[shard][start:start + PAIRS])
                        for start in range(0, len(within[shard]), PAIRS)]
        rows_sent: set[int] = set()
        for start in range(0, len(crossing[shard]), PAIRS):
            chunk = crossing[shard][start:start + PAIRS]
            new = {r for p in chunk for r in p if shard_of[r] != shard} - rows_sent
            rows_sent |= new
            tasks[shard].append(PairTask([by_id[r] for r in sorted(new)], chunk))
    return tasks


def part_tasks(readers: Readers, by_id: Mapping[int, Row],
               matches: Sequence[tuple[int, int, float]],
               forced: Sequence[tuple[int, int]] = (), never: Sequence[tuple[int, int]] = (),
               priority: tuple[str, ...] = ()) -> list[list[PartTask]]:
    """Connected parts of the match graph (matches and staff "same" overrides) per shard,
    each whole for the shard that has read most of its records (sent the others' rows),
    in tasks of about :data:`CHUNK` records."""
    forced = [p for p in forced if p[0] in by_id and p[1] in by_id]
    parts = connected_parts(by_id, [*((a, b) for a, b, _ in matches), *forced])
    part_of = {rid: i for i, part in enumerate(parts) for rid in part}
    matches_of: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for match in matches:
        matches_of[part_of[match[0]]].append(match)
    forced_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in forced:
        forced_of[part_of[p[0]]].append(p)
    never_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for a, b in never:
        if a in part_of and b in part_of and part_of[a] == part_of[b]:
            never_of[part_of[a]].append((a, b))
    tasks: list[list[PartTask]] = [[] for _ in range(readers.count)]
    open_tasks: dict[int, PartTask] = {}
    for i, part in enumerate(parts):
        target = readers.shard_of[part[0]] if len(part) == 1 else max(
            range(readers.count),
            key=lambda s: (sum(readers.reads(s, rid) for rid in part), -s))
        task = open_tasks.setdefault(target, PartTask([], [], [], [], [], priority))
        task.ids.extend(part)
        for rid in part:
            if not readers.reads(target, rid):
                task.foreign.append(by_id[rid])
                readers.guests[target].add(rid)
        task.matches.extend(matches_of.get(i, ()))
        task.forced.extend(forced_of.get(i, ()))
        task.never.extend(never_of.get(i, ()))
        if len(task.ids) >= CHUNK:
            tasks[target].append(open_tasks.pop(target))
    for target, task in open_tasks.items():
        tasks[target].append(task)
    return tasks
