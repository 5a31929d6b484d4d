"""Clustering decisions (pure): partitions along matches under the constraints, and
stable ids across partitions."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from union.works.clustering import Edge, assign_ids, partition


def minter(start: int = 100):  # type: ignore[no-untyped-def]
    counter = itertools.count(start)
    return lambda: next(counter)


def test_records_joined_by_matches_are_one_work() -> None:
    works = partition({1: 1, 2: 2, 3: 3, 4: 4}, [Edge(1, 2, 7.0), Edge(2, 3, 8.0)])
    assert works == [frozenset({1, 2, 3}), frozenset({4})]


def test_never_pair_ends_in_different_works_whatever_links_them() -> None:
    works = partition({1: 1, 2: 2, 3: 3}, [Edge(1, 2, 9.0), Edge(2, 3, 7.0)], never=[(1, 3)])
    assert works == [frozenset({1, 2}), frozenset({3})]


def test_the_stronger_match_wins_a_conflict() -> None:
    works = partition({1: 1, 2: 2, 3: 3}, [Edge(1, 2, 7.0), Edge(2, 3, 9.0)], never=[(1, 3)])
    assert works == [frozenset({1}), frozenset({2, 3})]


def test_a_forced_edge_outranks_any_score() -> None:
    works = partition({1: 1, 2: 2, 3: 3}, [Edge(1, 2, 20.0), Edge(2, 3, forced=True)],
                      never=[(1, 3)])
    assert works == [frozenset({1}), frozenset({2, 3})]


def test_two_records_of_one_source_join_only_through_their_own_match() -> None:
    # 1 and 3 are both from source 10; each matches 2, not each other.
    sources = {1: 10, 2: 20, 3: 10}
    works = partition(sources, [Edge(1, 2, 7.0), Edge(2, 3, 7.0)])
    assert works == [frozenset({1, 2}), frozenset({3})]
    works = partition(sources, [Edge(1, 2, 7.0), Edge(2, 3, 7.0), Edge(1, 3, 7.0)])
    assert works == [frozenset({1, 2, 3})]


def test_edges_to_unknown_records_are_ignored() -> None:
    assert partition({1: 1}, [Edge(1, 2, 9.0)]) == [frozenset({1})]


edges_strategy = st.lists(
    st.builds(Edge, st.integers(1, 12), st.integers(1, 12),
              st.sampled_from([6.0, 7.0, 8.5, 12.0]), st.booleans()),
    max_size=30,
)
sources_strategy = st.dictionaries(st.integers(1, 12), st.integers(1, 4), min_size=1)
never_strategy = st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=4)


@settings(max_examples=200)
@given(sources_strategy, edges_strategy, never_strategy, st.randoms())
def test_partition_does_not_depend_on_the_order_of_edges(
        sources: dict[int, int], edges: list[Edge], never: list[tuple[int, int]],
        rng: random.Random) -> None:
    shuffled = list(edges)
    rng.shuffle(shuffled)
    assert partition(sources, edges, never) == partition(sources, shuffled, never)


@settings(max_examples=200)
@given(sources_strategy, edges_strategy, never_strategy)
def test_partition_respects_every_constraint(
        sources: dict[int, int], edges: list[Edge], never: list[tuple[int, int]]) -> None:
    works = partition(sources, edges, never)
    assert sorted(r for w in works for r in w) == sorted(sources)
    work_of = {r: i for i, w in enumerate(works) for r in w}
    for a, b in never:
        if a != b and a in sources and b in sources:
            assert work_of[a] != work_of[b]
    direct = {e.ends for e in edges}
    for work in works:
        for a, b in itertools.combinations(sorted(work), 2):
            if sources[a] == sources[b]:
                assert (a, b) in direct


def test_an_unchanged_partition_keeps_every_id() -> None:
    works = [frozenset({1, 2}), frozenset({3})]
    assignment = assign_ids(works, {1: 7, 2: 7, 3: 9}, minter())
    assert assignment.work_ids == [7, 9]
    assert (assignment.created, assignment.merged, assignment.deleted) == ([], {}, [])


def test_a_merge_keeps_the_oldest_id_and_redirects_the_newer() -> None:
    assignment = assign_ids([frozenset({1, 2, 3})], {1: 9, 2: 5, 3: 9}, minter())
    assert assignment.work_ids == [5]
    assert assignment.merged == {9: 5}


def test_a_split_keeps_the_id_with_the_larger_part_and_mints_one() -> None:
    assignment = assign_ids([frozenset({1}), frozenset({2, 3})], {1: 4, 2: 4, 3: 4},
                            minter())
    assert assignment.work_ids == [100, 4]
    assert assignment.created == [100]


def test_a_work_with_no_member_left_is_deleted() -> None:
    assignment = assign_ids([frozenset({2})], {1: 4, 2: 6}, minter())
    assert assignment.work_ids == [6]
    assert assignment.deleted == [4]


def test_new_records_get_new_ids_in_record_order() -> None:
    assignment = assign_ids([frozenset({5}), frozenset({2})], {}, minter())
    assert assignment.work_ids == [101, 100]


@settings(max_examples=200)
@given(st.lists(st.frozensets(st.integers(1, 30), min_size=1), max_size=6),
       st.dictionaries(st.integers(1, 30), st.integers(1, 8)))
def test_ids_are_unique_and_every_lost_id_is_accounted_for(
        groups: list[frozenset[int]], previous: dict[int, int]) -> None:
    seen: set[int] = set()
    works = []
    for group in groups:  # make the works disjoint
        work = group - seen
        if work:
            works.append(work)
            seen |= work
    assignment = assign_ids(works, previous, minter())
    assert len(set(assignment.work_ids)) == len(works)
    lost = set(previous.values()) - set(assignment.work_ids)
    assert lost == set(assignment.merged) | set(assignment.deleted)
    assert all(target in assignment.work_ids for target in assignment.merged.values())
