"""How the full rebuild shares its work between shards (``union.works.dealing``): every
pair decided once where both its records are read, every part of the match graph
partitioned whole, and a row sent to a shard only when needed and only once."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from union.works.dealing import (
    PAIRS,
    READ_COST,
    PairTask,
    Readers,
    Row,
    deal_rows,
    pair_tasks,
    part_tasks,
)


def _rows(count: int) -> list[Row]:
    return [(rid, 1, "KOTA", f"K-{rid}", "{}") for rid in range(1, count + 1)]


def _readers(first: list[int], second: list[int]) -> tuple[Readers, dict[int, Row]]:
    """Two shards that were dealt the records ``first`` and ``second``."""
    by_id = {row[0]: row for row in _rows(max(first + second))}
    return Readers([[by_id[r] for r in first], [by_id[r] for r in second]]), by_id


def _read_in_order(readers: Readers, shard: int, tasks: list[PairTask]) -> list[set[int]]:
    """What ``shard`` has read when it starts each of its tasks."""
    read = {r for r, s in readers.shard_of.items() if s == shard}
    seen = []
    for task in tasks:
        read |= {row[0] for row in task.foreign}
        seen.append(set(read))
    return seen


def test_every_pair_is_decided_once_by_a_shard_that_has_read_both_records() -> None:
    readers, by_id = _readers(list(range(1, 41)), list(range(41, 81)))
    pairs = {(a, b) for a in range(1, 81, 3) for b in range(a + 1, 81, 7)}
    tasks = pair_tasks(readers, by_id, pairs)
    decided = Counter(p for shard_tasks in tasks for task in shard_tasks for p in task.pairs)
    assert set(decided) == pairs and set(decided.values()) == {1}
    for shard, shard_tasks in enumerate(tasks):
        for task, read in zip(shard_tasks, _read_in_order(readers, shard, shard_tasks),
                              strict=True):
            assert all(a in read and b in read for a, b in task.pairs)


def test_a_pair_within_one_shard_stays_there_and_sends_no_row() -> None:
    readers, by_id = _readers([1, 2, 3], [4, 5, 6])
    tasks = pair_tasks(readers, by_id, {(1, 2), (5, 6)})
    assert [[t.pairs for t in shard_tasks] for shard_tasks in tasks] == [[[(1, 2)]], [[(5, 6)]]]
    assert all(not t.foreign for shard_tasks in tasks for t in shard_tasks)
    assert readers.guests == [set(), set()]


def test_pairs_across_shards_go_to_the_shard_with_less_work() -> None:
    readers, by_id = _readers(list(range(1, 21)), list(range(21, 31)))
    busy = {(a, a + 1) for a in range(1, 20)}  # 19 pairs for the first shard
    across = {(1, 21), (2, 22)}
    tasks = pair_tasks(readers, by_id, busy | across)
    second = [p for t in tasks[1] for p in t.pairs]
    assert sorted(second) == sorted(across)
    assert sorted(row[0] for t in tasks[1] for row in t.foreign) == [1, 2]
    assert readers.guests == [set(), {1, 2}]


def test_a_shard_already_sent_a_row_takes_the_next_pair_needing_it_though_busier() -> None:
    readers, by_id = _readers([1, 2, 3], [6, 7])
    tasks = pair_tasks(readers, by_id, {(1, 2), (2, 3), (1, 6), (1, 7)})
    # (1, 6) goes to the idle second shard, which reads record 1; then it has more to do
    # (one read and one pair: 1 + READ_COST) than the first shard (two pairs), yet
    # deciding (1, 7) there costs one pair, and reading record 7 elsewhere would cost more.
    assert sorted(p for t in tasks[1] for p in t.pairs) == [(1, 6), (1, 7)]
    assert [row[0] for t in tasks[1] for row in t.foreign] == [1]
    assert 1 + READ_COST > 2


def test_a_row_sent_once_serves_every_later_pair_that_needs_it() -> None:
    readers, by_id = _readers([1], list(range(2, 2 + 2 * PAIRS)))
    tasks = pair_tasks(readers, by_id, {(1, b) for b in range(2, 2 + 2 * PAIRS)})
    assert len(tasks[1]) >= 2
    assert [row[0] for t in tasks[1] for row in t.foreign] == [1]


def test_a_part_of_the_match_graph_goes_whole_to_the_shard_that_read_most_of_it() -> None:
    readers, by_id = _readers([1, 2, 3], [4, 5, 6])
    tasks = part_tasks(readers, by_id, [(1, 4, 5.0), (4, 5, 6.0)])
    first, second = ([sorted(t.ids) for t in shard_tasks] for shard_tasks in tasks)
    assert first == [[2, 3]]  # unmatched: a work each, where they were read
    assert second == [[1, 4, 5, 6]]
    assert [row[0] for row in tasks[1][0].foreign] == [1]
    assert sorted(tasks[1][0].matches) == [(1, 4, 5.0), (4, 5, 6.0)]


def test_staff_overrides_join_parts_and_travel_with_them() -> None:
    readers, by_id = _readers([1, 2], [3, 4])
    tasks = part_tasks(readers, by_id, [(1, 2, 5.0)], forced=[(2, 3)], never=[(1, 3), (2, 4)],
                       priority=("KOTA",))
    [task] = [t for shard_tasks in tasks for t in shard_tasks if 1 in t.ids]
    assert sorted(task.ids) == [1, 2, 3]
    assert task.forced == [(2, 3)] and task.never == [(1, 3)]
    assert task.priority == ("KOTA",)


def test_rows_are_dealt_by_the_folded_first_long_word_of_the_title() -> None:
    rows = _rows(4)
    titles = {1: "Sumber konflik", 2: "SOEMBER KONFLIK", 3: "Sejarah Bali", 4: "Tjerita"}
    dealt = deal_rows(rows, 2, titles)
    shard = {row[0]: i for i, part in enumerate(dealt) for row in part}
    assert shard[1] == shard[2]
    assert sorted(r for part in dealt for r, *_ in part) == [1, 2, 3, 4]
    assert deal_rows(rows, 2, None) == [[rows[0], rows[2]], [rows[1], rows[3]]]



def test_shards_read_about_as_many_rows_each_whatever_the_commonest_titles() -> None:
    rows = _rows(10)
    words = ["Sejarah"] * 4 + ["Cerita"] * 3 + ["Laporan"] * 3
    titles = {rid: f"{word} {rid}" for rid, word in zip(range(1, 11), words, strict=True)}
    dealt = deal_rows(rows, 2, titles)
    assert sorted(len(part) for part in dealt) == [4, 6]


@settings(max_examples=150, deadline=None)
@given(
    shards=st.integers(min_value=1, max_value=4),
    dealt_to=st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=40),
    links=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)), max_size=120),
)
def test_any_dealing_decides_each_pair_once_and_partitions_each_part_whole(
        shards: int, dealt_to: list[int], links: list[tuple[int, int]]) -> None:
    rows = _rows(len(dealt_to))
    dealt: list[list[Row]] = [[] for _ in range(shards)]
    for row, shard in zip(rows, dealt_to, strict=True):
        dealt[shard % shards].append(row)
    readers, by_id = Readers(dealt), {row[0]: row for row in rows}
    pairs = {(min(a, b) + 1, max(a, b) + 1) for a, b in links
             if a != b and max(a, b) < len(rows)}
    tasks = pair_tasks(readers, by_id, pairs)
    decided = Counter(p for shard_tasks in tasks for task in shard_tasks for p in task.pairs)
    assert set(decided) == pairs and set(decided.values()) <= {1}
    for shard, shard_tasks in enumerate(tasks):
        for task, read in zip(shard_tasks, _read_in_order(readers, shard, shard_tasks),
                              strict=True):
            assert all(a in read and b in read for a, b in task.pairs)
    matches = [(a, b, 6.0) for a, b in sorted(pairs)[::2]]
    by_shard = part_tasks(readers, by_id, matches)
    for shard, shard_tasks in enumerate(by_shard):
        read = _read_in_order(readers, shard, tasks[shard])[-1] if tasks[shard] else {
            r for r, s in readers.shard_of.items() if s == shard}
        for task in shard_tasks:
            read |= {row[0] for row in task.foreign}
            assert set(task.ids) <= read
    parts = [t for shard_tasks in by_shard for t in shard_tasks]
    placed = Counter(rid for task in parts for rid in task.ids)
    assert set(placed) == set(by_id) and set(placed.values()) == {1}
    task_of = {rid: i for i, task in enumerate(parts) for rid in task.ids}
    assert all(task_of[a] == task_of[b] for a, b, _ in matches)
    assert sorted(m for task in parts for m in task.matches) == sorted(matches)
