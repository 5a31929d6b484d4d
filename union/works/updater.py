"""Keeping the works in step with the source records (the edge that runs the clusterer).

:func:`update_works` follows the change log from the clusterer's cursor. A changed,
new or deleted record gets its keys again, is matched against the records sharing a key
with it, and only the part of the match graph it touches (its old and new matches, their
works, and everything linked to them) is partitioned again. When most of the catalogue
changed at once it rebuilds everything instead, on every core (:mod:`union.works.bulk`).

Either way the result is written as a difference: work ids stay stable
(:func:`union.works.clustering.assign_ids`), a work's datestamp moves only when its
display record (members, descriptions, holdings) changes, and every work that changed is
logged in the change log as ``entity='work'`` for the search index and the OAI-PMH feed.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from union.dedup import Decision
from union.dedup.pairwise import match_view
from union.dedup.title_comparison import BLOCKING_LEVELS, title_level, title_view
from union.store.change_log import changed_records, high_water, lock_cursor, log_work_changes
from union.store.engine import Store
from union.works import store_ops as ops
from union.works.bulk import rebuild_clusters
from union.works.candidates import MAX_BLOCK, record_keys
from union.works.clustering import Assignment, Edge, assign_ids, pair, partition
from union.works.display import Member, display_record, display_text
from union.works.matching import conflicts, decide_pairs

__all__ = ["UpdateReport", "update_works"]

Clock = Callable[[], datetime]
#: The clusterer's cursor in the change log.
CURSOR = "works"
#: A batch this large (and at least this share of the catalogue) is rebuilt in full.
REBUILD_FROM = 5000
REBUILD_SHARE = 0.2


@dataclass(slots=True)
class UpdateReport:
    """What one update did: ``mode`` "none", "incremental" or "rebuild"; how many
    records it looked at; works created, changed (display rewritten), merged and
    deleted; and how long it took."""

    mode: str = "none"
    records: int = 0
    created: int = 0
    changed: int = 0
    merged: int = 0
    deleted: int = 0
    seconds: float = 0.0


def update_works(
    store: Store,
    clock: Clock,
    *,
    priority: Sequence[str] = (),
    also: Iterable[int] = (),
    rebuild: bool | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Bring the works up to date with every change logged so far.

    ``priority`` orders branch codes for choosing display records; ``also`` names
    records to re-cluster even if unchanged (their overrides changed); ``rebuild``
    forces (True) or forbids (False) a full rebuild, None lets the size decide.
    """
    started = time.perf_counter()
    upto = high_water(store)
    with store.write() as session:
        now = clock()
        cursor = lock_cursor(session, now, CURSOR)
        changed, holdings_only = changed_records(session, cursor.seq, upto)
        dirty = changed | set(also)
        # A record named by an override is matched again whatever changed in it.
        described = dirty - (holdings_only - set(also))
        if not dirty and not rebuild:
            cursor.seq = max(cursor.seq, upto)
            return UpdateReport()
        with _collector_paused():
            if rebuild or (rebuild is None and _rebuild_pays(session, len(dirty))):
                report = _rebuild(session, priority, now, workers, progress)
            else:
                report = _incremental(session, dirty, described, priority, now)
        cursor.seq = max(cursor.seq, upto)
        cursor.updated_at = now
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _collector_paused() -> Iterator[None]:
    # An update makes many small objects (rows, keys, pairs: millions in a rebuild) that
    # form no cycles; the cyclic collector would traverse them, and the rest of a
    # long-running server's heap, again and again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rebuild_pays(session: Session, changed: int) -> bool:
    return changed >= REBUILD_FROM and changed >= REBUILD_SHARE * ops.live_count(session)


# ------------------------------------------------------------------------ incremental


def _incremental(session: Session, dirty: set[int], described: set[int],
                 priority: Sequence[str], now: datetime) -> UpdateReport:
    """Update the works of the ``dirty`` records, matching again those ``described``
    anew; the others changed only their items, so their keys and matches stand and their
    works are only described again."""
    loaded = ops.load_members(session, dirty)
    decisions, title_conflicts, seeds = _rematch(session, described, loaded, now)
    seeds |= dirty
    forced, never = ops.resolved_overrides(session)
    scope, edges, previous = _expand(session, seeds, forced)
    loaded.update(ops.load_members(session, scope - loaded.keys()))
    members = {rid: loaded[rid] for rid in scope if rid in loaded}
    sources = {rid: source for rid, (source, _) in members.items()}
    edges.extend(Edge(a, b, forced=True) for a, b in forced if a in scope and b in scope)
    bibs = {rid: member.bib for rid, (_, member) in members.items()}
    # Stored and new matches are not blocked; nor is any other pair decided just now
    # unless its evidence said so.
    known = {edge.ends: False for edge in edges if not edge.forced}
    known.update((p, d.evidence.blocked) for p, d in decisions.items())
    known.update(dict.fromkeys(title_conflicts, True))
    works = partition(sources, edges, [p for p in never if p[0] in scope and p[1] in scope],
                      conflicts(bibs, known))
    assignment = assign_ids(works, previous, _minter(session))
    report = _apply(session, assignment, previous,
                    lambda work: _describe([members[r][1] for r in sorted(work)], priority),
                    now)
    report.mode, report.records = "incremental", len(dirty)
    return report


def _rematch(session: Session, dirty: set[int], loaded: dict[int, tuple[int, Member]],
             now: datetime) -> tuple[dict[tuple[int, int], Decision], set[tuple[int, int]],
                                     set[int]]:
    """Key the ``dirty`` records again, match them against the records sharing a key and
    replace their stored matches. Returns the decisions, the pairs whose titles
    conflict, and the records whose works may change (the dirty ones and their old and
    new matches). ``loaded`` holds at least the dirty records that are live, and gains
    the candidates."""
    keys = {rid: record_keys(member.bib) for rid, (_, member) in loaded.items()
            if rid in dirty}
    ops.replace_keys(session, dirty, keys)
    blocks = ops.blocks_for(session, {k for ks in keys.values() for k in ks})
    pairs: set[tuple[int, int]] = set()
    for rid, record_keys_ in keys.items():
        for key in record_keys_:
            block = blocks.get(key, ())
            if len(block) <= MAX_BLOCK:
                pairs.update(pair(rid, other) for other in block if other != rid)
    candidates = {r for p in pairs for r in p}
    loaded.update(ops.load_members(session, candidates - loaded.keys()))
    # Most candidates share a key and nothing else: their titles tell, at a fraction of
    # the cost of a full match view.
    titles = {rid: title_view(m.bib) for rid, (_, m) in loaded.items() if rid in candidates}
    levels = {p: title_level(titles[p[0]], titles[p[1]]) for p in pairs}
    title_conflicts = {p for p, level in levels.items() if level in BLOCKING_LEVELS}
    pairs -= title_conflicts
    in_pairs = {r for p in pairs for r in p}
    views = {rid: match_view(m.bib) for rid, (_, m) in loaded.items() if rid in in_pairs}
    decisions = decide_pairs({rid: m.bib for rid, (_, m) in loaded.items()}, pairs, views,
                             levels)
    seeds = set(dirty)
    seeds.update(r for p in ops.replace_edges(session, dirty, decisions, now) for r in p)
    seeds.update(r for p, d in decisions.items() if d.same for r in p)
    return decisions, title_conflicts, seeds


def _expand(session: Session, seeds: set[int], forced: Sequence[tuple[int, int]]
            ) -> tuple[set[int], list[Edge], dict[int, int]]:
    """Everything linked to ``seeds`` by stored matches, staff "same" overrides or a
    shared work: (records, the matches among them, their previous works)."""
    linked: dict[int, set[int]] = defaultdict(set)
    for a, b in forced:
        linked[a].add(b)
        linked[b].add(a)
    scope, frontier = set(seeds), set(seeds)
    edges: dict[tuple[int, int], Edge] = {}
    previous: dict[int, int] = {}
    while frontier:
        found: set[int] = set()
        for edge in ops.edges_touching(session, frontier):
            edges[edge.ends] = edge
            found.update(edge.ends)
        for record in frontier:
            found.update(linked.get(record, ()))
        works = ops.memberships(session, frontier)
        previous.update(works)
        mates = ops.members_of_works(session, set(works.values()))
        previous.update(mates)
        found.update(mates)
        frontier = found - scope
        scope |= frontier
    return scope, list(edges.values()), previous


def _minter(session: Session) -> Callable[[], int]:
    next_id = ops.next_work_id(session)

    def mint() -> int:
        nonlocal next_id
        next_id += 1
        return next_id - 1

    return mint


def _describe(members: Sequence[Member], priority: Sequence[str]) -> tuple[str, str]:
    return display_text(display_record(members, priority))


# --------------------------------------------------------------------------- rebuild


def _rebuild(session: Session, priority: Sequence[str], now: datetime, workers: int | None,
             progress: Callable[[str], None] | None) -> UpdateReport:
    say = progress or (lambda _message: None)
    rows = ops.all_member_rows(session)
    say(f"read {len(rows)} records")
    forced, never = ops.resolved_overrides(session)
    ops.clear_derived(session)
    with ops.derived_indexes_dropped(session):
        result = rebuild_clusters(rows, forced, never, priority, workers, progress,
                                  _StoreSink(session, now), ops.all_titles(session))
    say("keys and evidence written")
    previous = ops.all_memberships(session)
    described = {work: (text, digest) for work, text, digest in result.works}
    works = sorted(described, key=min)
    assignment = assign_ids(works, previous, _minter(session))
    report = _apply(session, assignment, previous, described.__getitem__, now,
                    stored=ops.all_display_hashes(session))
    say("works written")
    report.mode, report.records = "rebuild", len(rows)
    return report


class _StoreSink:
    """Writes a rebuild's keys and matching pairs while the workers go on."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def keys(self, keys: dict[int, tuple[str, ...]]) -> Iterator[None]:
        items = list(keys.items())
        for start in range(0, len(items), 5000):
            ops.insert_keys(self.session, dict(items[start:start + 5000]))
            yield

    def edges(self, edges: list[tuple[int, int, float, str]]) -> Iterator[None]:
        ops.insert_raw_edges(self.session, edges, self.now)
        yield


# ----------------------------------------------------------------------------- apply


def _apply(
    session: Session,
    assignment: Assignment,
    previous: Mapping[int, int],
    describe: Callable[[frozenset[int]], tuple[str, str]],
    now: datetime,
    stored: Mapping[int, str | None] | None = None,
) -> UpdateReport:
    """Write the new partition as a difference from ``previous``."""
    created = set(assignment.created)
    if stored is None:
        stored = ops.display_hashes(session, set(assignment.work_ids) - created)
    displays = {}
    for work, wid in zip(assignment.works, assignment.work_ids, strict=True):
        text, digest = describe(work)
        if wid in created or stored.get(wid) != digest:
            displays[wid] = (text, digest)
    ops.write_displays(session, created, displays, now)
    ops.rewrite_memberships(session, previous, assignment.work_of())
    ops.retire_works(session, assignment.merged, assignment.deleted, now)
    changes = [(wid, "upsert") for wid in sorted(displays)]
    changes += [(wid, "delete") for wid in sorted([*assignment.merged, *assignment.deleted])]
    log_work_changes(session, changes, now)
    return UpdateReport(created=len(created), changed=len(displays) - len(created),
                        merged=len(assignment.merged), deleted=len(assignment.deleted))
