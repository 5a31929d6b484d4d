"""Clustering decisions (pure): from match edges and constraints to works, and from the
previous works to stable work ids.

The clusterer keeps one graph: an edge for every pair of live records that pairwise
matching judged the same (and for every staff "same" override). Works are a
partition of each connected part of that graph:

* :func:`partition` joins records greedily along edges, strongest first (staff
  overrides, then higher scores), refusing a join that would put a "never" pair in one
  work, two records whose comparison found conflicting evidence, or two records of one
  source that were not themselves judged the same (a work holds at most one record per
  source unless the source itself holds duplicates). The
  order is fixed by the edges alone, so the same graph always gives the same works,
  whatever order the records arrived in: an incremental update equals a rebuild.
* :func:`assign_ids` keeps work ids stable: each previous id, oldest first, stays with
  the new work holding most of its former members; a work no previous id claims gets a
  new id (a split); a previous id left without a work is merged into the work holding
  most of its former members (a merge keeps the oldest id) or deleted when none is left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Assignment", "Edge", "assign_ids", "pair", "partition"]


def pair(a: int, b: int) -> tuple[int, int]:
    """The pair of two record ids in canonical (smaller, larger) order."""
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True, slots=True)
class Edge:
    """Two records judged the same: by pairwise matching with ``score``, or by staff
    (``forced``), which outranks any score."""

    a: int
    b: int
    score: float = 0.0
    forced: bool = False

    @property
    def ends(self) -> tuple[int, int]:
        """The canonical pair of record ids."""
        return pair(self.a, self.b)


def _edge_order(edge: Edge) -> tuple[bool, float, int, int]:
    a, b = edge.ends
    return (not edge.forced, -edge.score, a, b)


class _Groups:
    """Union-find over records that remembers, per group, its members by source."""

    def __init__(self, sources: Mapping[int, int]) -> None:
        self.parent = {record: record for record in sources}
        self.by_source: dict[int, dict[int, list[int]]] = {
            record: {source: [record]} for record, source in sources.items()
        }

    def find(self, record: int) -> int:
        root = record
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record] != root:  # path compression
            self.parent[record], record = root, self.parent[record]
        return root

    def members(self, root: int) -> Iterable[int]:
        return (m for group in self.by_source[root].values() for m in group)

    def join(self, x: int, y: int) -> None:
        small, large = (x, y) if self._size(x) < self._size(y) else (y, x)
        self.parent[small] = large
        target = self.by_source[large]
        for source, records in self.by_source.pop(small).items():
            target.setdefault(source, []).extend(records)

    def _size(self, root: int) -> int:
        return sum(len(group) for group in self.by_source[root].values())


def partition(
    sources: Mapping[int, int],
    edges: Iterable[Edge],
    never: Iterable[tuple[int, int]] = (),
    conflict: Callable[[int, int], bool] | None = None,
) -> list[frozenset[int]]:
    """Partition the records ``sources`` (record id -> source id) into works.

    ``edges`` join records; ``never`` pairs must end in different works (edges and
    pairs touching records not in ``sources`` are ignored); ``conflict(a, b)``, when
    given, says whether two records hold conflicting evidence (another title, volume,
    edition...), which keeps them apart even when a chain of matches links them.
    Returns every record in exactly one work, works sorted by their smallest record id.
    """
    edge_list = sorted(
        (e for e in edges if e.a in sources and e.b in sources and e.a != e.b), key=_edge_order
    )
    if conflict is not None:
        edge_list = _unambiguous(edge_list, conflict)
    direct = {e.ends for e in edge_list}
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in never:
        if a not in sources or b not in sources:
            continue
        apart[a].add(b)
        apart[b].add(a)
    groups = _Groups(sources)
    for edge in edge_list:
        x, y = groups.find(edge.a), groups.find(edge.b)
        # Staff saying "same" outweighs conflicting evidence, never a "never".
        check = None if edge.forced else conflict
        if x != y and _may_join(groups, x, y, direct, apart, check):
            groups.join(x, y)
    works: dict[int, list[int]] = defaultdict(list)
    for record in sources:
        works[groups.find(record)].append(record)
    return sorted((frozenset(m) for m in works.values()), key=min)


#: A record matching two records that conflict with each other joins the better one only
#: if its match is this much stronger; otherwise it is ambiguous and joins neither.
AMBIGUITY_MARGIN = 1.0


def _unambiguous(edges: list[Edge], conflict: Callable[[int, int], bool]) -> list[Edge]:
    """``edges`` without the matches of ambiguous records.

    A record with its subtitle left out ("Potensi dan kendala dalam pengelolaan terumbu
    karang") can match each of several books that differ in the subtitle (one booklet
    per village); when its matches to two mutually conflicting records are about equally
    strong, it cannot tell which book it is, and staff must decide.
    """
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    for edge in edges:
        if not edge.forced:
            scores[edge.a][edge.b] = edge.score
            scores[edge.b][edge.a] = edge.score
    ambiguous = set()
    for record, neighbours in scores.items():
        if len(neighbours) < 2:
            continue
        ranked = sorted(neighbours, key=lambda n: (-neighbours[n], n))
        for i, first in enumerate(ranked):
            for second in ranked[i + 1:]:
                if (neighbours[first] - neighbours[second] < AMBIGUITY_MARGIN
                        and conflict(first, second)):
                    ambiguous.add(record)
                    break
            if record in ambiguous:
                break
    return [e for e in edges if e.forced or not (e.a in ambiguous or e.b in ambiguous)]


def _may_join(
    groups: _Groups,
    x: int,
    y: int,
    direct: set[tuple[int, int]],
    apart: Mapping[int, set[int]],
    conflict: Callable[[int, int], bool] | None = None,
) -> bool:
    """Whether the groups rooted at ``x`` and ``y`` may become one work."""
    for member in groups.members(x):
        if any(groups.find(other) == y for other in apart.get(member, ())):
            return False  # staff said never
    left, right = groups.by_source[x], groups.by_source[y]
    for source in left.keys() & right.keys():
        for a in left[source]:
            for b in right[source]:
                if pair(a, b) not in direct:
                    return False  # two records of one source, not themselves a match
    if conflict is not None:
        # Transitivity is no evidence: A like B and B like C, but A's title is not C's.
        return not any(conflict(a, b) for a in groups.members(x) for b in groups.members(y))
    return True


@dataclass(slots=True)
class Assignment:
    """Work ids for a new partition.

    ``work_ids[i]`` is the id of ``works[i]``; ``created`` lists new ids (splits and new
    works); ``merged`` maps each previous id that lost its work to the surviving id;
    ``deleted`` lists previous ids none of whose members is left.
    """

    works: list[frozenset[int]]
    work_ids: list[int]
    created: list[int] = field(default_factory=list)
    merged: dict[int, int] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)

    def work_of(self) -> dict[int, int]:
        """Record id -> work id."""
        return {r: wid for members, wid in zip(self.works, self.work_ids, strict=True)
                for r in members}


def assign_ids(
    works: list[frozenset[int]],
    previous: Mapping[int, int],
    mint: Callable[[], int],
) -> Assignment:
    """Give each of ``works`` an id, keeping ids stable (see the module docstring).

    ``previous`` maps record ids to their previous work id (records no longer live may
    be included: they count towards no new work); ``mint`` returns a fresh id.
    """
    index = {record: i for i, members in enumerate(works) for record in members}
    former: dict[int, list[int]] = defaultdict(list)
    for record, work_id in previous.items():
        former[work_id].append(record)
    ids: list[int | None] = [None] * len(works)
    unclaimed: list[int] = []
    for old in sorted(former):
        choice = _most_members(former[old], index, works, lambda i: ids[i] is None)
        if choice is None:
            unclaimed.append(old)
        else:
            ids[choice] = old
    created: list[int] = []
    for i in sorted(range(len(works)), key=lambda i: min(works[i])):
        if ids[i] is None:
            new_id = mint()
            ids[i] = new_id
            created.append(new_id)
    final = [i for i in ids if i is not None]
    assignment = Assignment(works, final, created)
    for old in unclaimed:
        target = _most_members(former[old], index, works, lambda _i: True)
        if target is None:
            assignment.deleted.append(old)
        else:
            assignment.merged[old] = final[target]
    return assignment


def _most_members(
    records: list[int],
    index: Mapping[int, int],
    works: list[frozenset[int]],
    allowed: Callable[[int], bool],
) -> int | None:
    """The allowed work holding most of ``records`` (ties: the smallest record id)."""
    counts: dict[int, int] = defaultdict(int)
    for record in records:
        i = index.get(record)
        if i is not None and allowed(i):
            counts[i] += 1
    if not counts:
        return None
    return min(counts, key=lambda i: (-counts[i], min(works[i])))
