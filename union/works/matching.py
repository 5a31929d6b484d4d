"""Pairwise matching of candidate pairs, and the works of a group of records (pure).

:func:`cluster_group` is the whole clustering of one self-contained group of records (a
connected part of the candidate graph): decide every candidate pair, partition along
the matches under the overrides and the one-record-per-source rule, and describe each
resulting work. Both the incremental updater and the parallel rebuild use it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from union.bib_record import BibRecord
from union.dedup import Decision, decide
from union.dedup.pairwise import MatchView, decide_views
from union.dedup.title_comparison import titles_conflict
from union.works.clustering import Edge, pair, partition
from union.works.display import Member, display_record, display_text

__all__ = ["GroupResult", "cluster_group", "conflicts", "decide_pairs", "match_edges"]


def decide_pairs(
    records: Mapping[int, BibRecord], pairs: Iterable[tuple[int, int]],
    views: Mapping[int, MatchView] | None = None,
    title_conflicts: set[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], Decision]:
    """The decision for every pair whose two records are in ``records``.

    With match ``views`` (bulk clustering), pairs whose titles disagree are not decided
    in full but added to ``title_conflicts``: most candidate pairs share a blocking key
    and nothing else, and their decision would only say "blocked: title"."""
    decisions = {}
    for a, b in pairs:
        if a not in records or b not in records or a == b:
            continue
        if views is None:
            decisions[pair(a, b)] = decide(records[a], records[b])
        elif title_conflicts is not None and titles_conflict(views[a], views[b]):
            title_conflicts.add(pair(a, b))
        else:
            decisions[pair(a, b)] = decide_views(views[a], views[b])
    return decisions


def match_edges(decisions: Mapping[tuple[int, int], Decision],
                forced: Iterable[tuple[int, int]] = ()) -> list[Edge]:
    """Edges for the matching decisions, plus forced (staff "same") edges."""
    edges = [Edge(a, b, d.score) for (a, b), d in decisions.items() if d.same]
    edges.extend(Edge(a, b, forced=True) for a, b in forced)
    return edges


def conflicts(records: Mapping[int, BibRecord],
              known: Mapping[tuple[int, int], Decision],
              views: Mapping[int, MatchView] | None = None,
              blocked: Iterable[tuple[int, int]] = ()) -> Callable[[int, int], bool]:
    """Whether two records hold conflicting evidence (a blocking signal), from the
    decisions already made, the pairs known ``blocked``, or by deciding the pair."""
    seen = {p: d.evidence.blocked for p, d in known.items()}
    seen.update(dict.fromkeys(blocked, True))

    def conflict(a: int, b: int) -> bool:
        key = pair(a, b)
        if key not in seen:
            decision = (decide_views(views[a], views[b]) if views is not None
                        else decide(records[a], records[b]))
            seen[key] = decision.evidence.blocked
        return seen[key]

    return conflict


@dataclass(slots=True)
class GroupResult:
    """What clustering a group found: its matching decisions and its works, each with
    its display record as JSON text and that text's digest."""

    decisions: dict[tuple[int, int], Decision]
    works: list[tuple[frozenset[int], str, str]]


def cluster_group(
    members: Mapping[int, tuple[int, Member]],
    pairs: Iterable[tuple[int, int]],
    forced: Sequence[tuple[int, int]] = (),
    never: Sequence[tuple[int, int]] = (),
    priority: Sequence[str] = (),
    views: Mapping[int, MatchView] | None = None,
) -> GroupResult:
    """Cluster a self-contained group: ``members`` maps record id -> (source id, member);
    ``pairs`` are the candidate pairs; ``forced`` and ``never`` the staff overrides;
    ``views`` the members' match views when already computed."""
    bibs = {rid: member.bib for rid, (_, member) in members.items()}
    title_conflicts: set[tuple[int, int]] = set()
    decisions = decide_pairs(bibs, pairs, views, title_conflicts)
    sources = {rid: source for rid, (source, _) in members.items()}
    works = partition(sources, match_edges(decisions, forced), never,
                      conflicts(bibs, decisions, views, title_conflicts))
    described = []
    for work in works:
        text, digest = display_text(display_record([members[r][1] for r in sorted(work)],
                                                   priority))
        described.append((work, text, digest))
    return GroupResult(decisions, described)
