"""Pairwise matching of candidate pairs, and the works of a group of records (pure).

:func:`decide_pairs` decides candidate pairs; :func:`group_works` partitions one
self-contained group of records (a connected part of the match graph) along its matches
under the overrides and the one-record-per-source rule, and describes each resulting
work. Both the incremental updater and the parallel rebuild use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from union.bib_record import BibRecord
from union.dedup import Decision, decide
from union.dedup.pairwise import MatchView, decide_views
from union.works.clustering import Edge, pair, partition
from union.works.display import Member, display_record, display_text

__all__ = ["conflicts", "decide_pairs", "group_works"]


def decide_pairs(
    records: Mapping[int, BibRecord], pairs: Iterable[tuple[int, int]],
    views: Mapping[int, MatchView] | None = None,
    levels: Mapping[tuple[int, int], str] | None = None,
) -> dict[tuple[int, int], Decision]:
    """The decision for every pair whose two records are in ``records``, from their match
    ``views`` and the pairs' title ``levels`` when already computed."""
    decisions = {}
    for a, b in pairs:
        if a not in records or b not in records or a == b:
            continue
        key = pair(a, b)
        decisions[key] = (decide(records[a], records[b]) if views is None else decide_views(
            views[a], views[b], None if levels is None else levels.get(key)))
    return decisions


def conflicts(records: Mapping[int, BibRecord], known: Mapping[tuple[int, int], bool],
              views: Mapping[int, MatchView] | None = None) -> Callable[[int, int], bool]:
    """Whether two records hold conflicting evidence (a blocking signal): ``known`` says
    it for the pairs already decided (True: blocked); any other pair is decided when
    asked, once."""
    seen = dict(known)

    def conflict(a: int, b: int) -> bool:
        key = pair(a, b)
        if key not in seen:
            decision = (decide_views(views[a], views[b]) if views is not None
                        else decide(records[a], records[b]))
            seen[key] = decision.evidence.blocked
        return seen[key]

    return conflict


def group_works(
    members: Mapping[int, tuple[int, Member]],
    edges: Sequence[Edge],
    never: Sequence[tuple[int, int]] = (),
    priority: Sequence[str] = (),
    views: Mapping[int, MatchView] | None = None,
) -> list[tuple[frozenset[int], str, str]]:
    """The works of a self-contained group of records (a connected part of the match
    graph), each with its display record as JSON text and that text's digest.

    ``members`` maps record id -> (source id, member); ``edges`` are the group's
    matching pairs and staff "same" overrides; ``never`` the staff "never" overrides;
    ``views`` the members' match views when already computed."""
    sources = {rid: source for rid, (source, _) in members.items()}
    bibs = {rid: member.bib for rid, (_, member) in members.items()}
    matched = {edge.ends: False for edge in edges if not edge.forced}
    works = partition(sources, edges, never, conflicts(bibs, matched, views))
    described = []
    for work in works:
        text, digest = display_text(display_record([members[r][1] for r in sorted(work)],
                                                   priority))
        described.append((work, text, digest))
    return described
