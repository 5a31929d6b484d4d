"""The full rebuild (``union.works.bulk``): worker processes cluster as one process does,
and every key and matching pair reaches the sink, on real LoC records of Indonesian books
and village-library variants of them."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from functools import cache

from tests.benchmarks.variants import slims_variant
from tests.support.loc import loc_bibs
from union.bib_record import BibRecord
from union.works.bulk import Edge, RebuildResult, rebuild_clusters
from union.works.candidates import blocks_of, candidate_pairs, record_keys
from union.works.dealing import Row

VILLAGES = ("DESA1", "DESA2", "DESA3")


@cache
def _rows() -> tuple[Row, ...]:
    """The first 1,200 records as the city holds them, and a village copy of each."""
    rng = random.Random(3)
    originals = loc_bibs()[:1200]
    rows: list[Row] = []
    for i, bib in enumerate(originals):
        rows.append((i + 1, 1, "KOTA", f"K-{i}", json.dumps(bib.to_dict())))
    for i, bib in enumerate(originals):
        code = rng.choice(VILLAGES)
        variant = slims_variant(bib, rng, code)
        rows.append((len(originals) + i + 1, 2 + VILLAGES.index(code), code, f"{code}-{i}",
                     json.dumps(variant.to_dict())))
    return tuple(rows)


def _titles() -> dict[int, str]:
    return {row[0]: json.loads(row[4])["title"] for row in _rows()}


def _outcome(result: RebuildResult) -> tuple[list[Edge], list[tuple[frozenset[int], str, str]]]:
    return sorted(result.edges), sorted(result.works, key=lambda w: min(w[0]))


class _Sink:
    """Keeps what a rebuild hands over, a step at a time."""

    def __init__(self) -> None:
        self.taken_keys: list[tuple[int, tuple[str, ...]]] = []
        self.taken_edges: list[Edge] = []

    def keys(self, keys: dict[int, tuple[str, ...]]) -> Iterator[None]:
        for item in keys.items():
            self.taken_keys.append(item)
            yield

    def edges(self, edges: list[Edge]) -> Iterator[None]:
        self.taken_edges.extend(edges)
        yield


def test_worker_processes_cluster_as_one_process_does() -> None:
    alone = rebuild_clusters(_rows(), priority=("KOTA",), workers=1)
    in_workers = rebuild_clusters(_rows(), priority=("KOTA",), workers=2, pool_from=0,
                                  titles=_titles())
    assert _outcome(in_workers) == _outcome(alone)
    assert sum(1 for work, _, _ in alone.works if len(work) > 1) > 800


def test_every_records_keys_reach_the_sink_once() -> None:
    sink = _Sink()
    result = rebuild_clusters(_rows(), workers=2, pool_from=0, sink=sink, titles=_titles())
    alone = rebuild_clusters(_rows(), workers=1)
    assert result.keys == {} and result.edges == []
    assert len(sink.taken_keys) == len(_rows())
    assert ({rid: frozenset(keys) for rid, keys in sink.taken_keys}
            == {rid: frozenset(keys) for rid, keys in alone.keys.items()})
    assert sorted(sink.taken_edges) == sorted(alone.edges)


def test_the_keys_a_rebuild_finds_are_each_records_own() -> None:
    result = rebuild_clusters(_rows(), workers=1)
    for rid, _source, _code, _local, data in _rows()[::97]:
        assert frozenset(result.keys[rid]) == record_keys(BibRecord.from_dict(json.loads(data)))


def test_candidate_pairs_are_every_pair_of_a_small_block() -> None:
    blocks = blocks_of({1: ["a", "b"], 2: ["a"], 3: ["a", "b"], 4: ["c"], 5: ["b", "b"]})
    assert candidate_pairs(blocks) == {(1, 2), (1, 3), (2, 3), (1, 5), (3, 5)}
    assert candidate_pairs(blocks, limit=2) == set()
