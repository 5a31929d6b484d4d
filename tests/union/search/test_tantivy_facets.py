"""How the tantivy engine counts facets over an index of several segments: exactly, however
many works a search matches and however many values a facet has in a segment."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from union.search.documents import SearchDocument
from union.search.engine import SearchQuery
from union.search.tantivy_engine import TantivyEngine

BRANCHES = [f"DESA{n:02d}" for n in range(1, 41)]


def segment(n: int) -> list[SearchDocument]:
    """4,000 works, each with a heading of its own beside the common "Sejarah" ones."""
    return [
        SearchDocument(
            f"w{n}-{i}",
            f"Sejarah desa {n} {i}",
            subjects=[f"Desa {n}-{i} -- Sejarah", "Indonesia -- Sejarah"]
            + (["Sumatera Selatan -- Sejarah"] if i % 3 == 0 else []),
            branches=[BRANCHES[(n * 7 + i) % len(BRANCHES)]],
        )
        for i in range(4000)
    ]


def engine_of_three_segments(folder: Path) -> tuple[TantivyEngine, list[SearchDocument]]:
    engine = TantivyEngine(folder)
    docs: list[SearchDocument] = []
    for n in range(3):
        part = segment(n)
        engine.add(part)
        engine.commit()
        docs += part
    return engine, docs


@pytest.mark.parametrize("words", ["sejarah", ""], ids=["search", "browse"])
def test_a_facet_with_few_values_per_segment_is_counted_exactly(
    tmp_path: Path, words: str
) -> None:
    engine, docs = engine_of_three_segments(tmp_path / "index")
    counts = engine.search(SearchQuery(words, facets=("branch",), facet_limit=40))
    expected = Counter(b for doc in docs for b in doc.branches)
    assert dict(counts.facet_counts("branch")) == dict(expected)


@pytest.mark.parametrize("words", ["sejarah", ""], ids=["search", "browse"])
def test_the_subject_facet_of_a_broad_search_keeps_its_most_frequent_headings(
    tmp_path: Path, words: str
) -> None:
    engine, _ = engine_of_three_segments(tmp_path / "index")
    subject = engine.search(SearchQuery(words, facets=("subject",), facet_limit=5))
    top = [(v.value, v.count) for v in subject.facets["subject"]][:2]
    assert top == [("Indonesia", 12000), ("Sumatera Selatan", 4002)]


@pytest.mark.parametrize("words", ["pilihan", ""], ids=["search", "browse"])
def test_a_heading_rare_in_every_segment_but_first_overall_is_counted(
    tmp_path: Path, words: str
) -> None:
    # Three segments of 401 works: 200 headings of two works each, and "Zaman Belanda"
    # on one work. No segment has it among its 200 most frequent; the catalogue has it
    # first. One indexing thread, so that a commit makes one segment.
    engine = TantivyEngine(tmp_path / "index", writer_threads=1)
    for n in range(3):
        engine.add([SearchDocument(f"p{n}-{i}", f"Cerita pilihan {n} {i}",
                                   subjects=[f"Desa {n}-{i // 2:03d}"]) for i in range(400)]
                   + [SearchDocument(f"p{n}-zb", "Cerita pilihan", subjects=["Zaman Belanda"])])
        engine.commit()
    found = engine.search(SearchQuery(words, facets=("subject",), facet_limit=3, limit=0))
    assert found.total == 1203
    first, *rest = [(v.value, v.count) for v in found.facets["subject"]]
    assert first == ("Zaman Belanda", 3)
    # The rest tie at two works each: which of them are shown is the engine's choice.
    assert len(rest) == 2 and all(v.startswith("Desa ") and n == 2 for v, n in rest)


def test_searches_from_many_threads_are_counted_as_one_at_a_time(tmp_path: Path) -> None:
    # Each search counts its facets on another thread while it finds its page; searches
    # running together must not see each other's counts or pages.
    engine, _ = engine_of_three_segments(tmp_path / "index")
    queries = [SearchQuery(words, facets=("branch", "subject"), limit=5)
               for words in ("sejarah", "desa 1", "desa 2", "2 17", "")] * 8
    alone = [engine.search(query) for query in queries]
    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(engine.search, queries))
    assert together == alone
