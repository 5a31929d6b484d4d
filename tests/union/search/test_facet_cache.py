"""Facet counts of searches without words are kept per index generation and filters: on
each engine they follow commits and differ by filter; the cache itself counts once per
generation and key, and forgets the least recently used key first."""

from __future__ import annotations

from collections import Counter

from tests.union.search.catalogue import CATALOGUE
from union.search.documents import SearchDocument
from union.search.engine import FacetValue, SearchEngine, SearchQuery
from union.search.facet_cache import BrowseFacets
from union.search.tree import FacetIn, MatchAll


def languages_of(engine: SearchEngine, branch: str) -> dict[str, int]:
    query = SearchQuery("", filters={"branch": [branch]}, facets=("language",))
    return engine.search(query).facet_counts("language")


def expected_languages(branch: str) -> dict[str, int]:
    return dict(Counter(language for doc in CATALOGUE if branch in doc.branches
                        for language in doc.languages))


def test_filtered_browse_facets_are_those_of_the_filter(engine: SearchEngine) -> None:
    for branch in ("KOTA", "DESA01", "DESA03"):
        assert languages_of(engine, branch) == expected_languages(branch)


def test_filtered_browse_facets_follow_commits(engine: SearchEngine) -> None:
    before = languages_of(engine, "DESA01")
    engine.add([SearchDocument("new", "Rumah kaca", languages=["jav"], branches=["DESA01"])])
    engine.commit()
    assert languages_of(engine, "DESA01") == {**before, "jav": before.get("jav", 0) + 1}
    engine.delete(["new"])
    engine.commit()
    assert languages_of(engine, "DESA01") == before


def test_searches_with_words_are_counted_afresh(engine: SearchEngine) -> None:
    browse = languages_of(engine, "KOTA")
    query = SearchQuery("sejarah", filters={"branch": ["KOTA"]}, facets=("language",))
    assert engine.search(query).facet_counts("language") != browse


def counted(value: str) -> dict[str, tuple[FacetValue, ...]]:
    return {"branch": (FacetValue(value, 1),)}


def test_counts_once_per_generation_and_key() -> None:
    cache, calls = BrowseFacets(), []
    kota = FacetIn("branch", ("KOTA",))

    def count(label: str) -> dict[str, tuple[FacetValue, ...]]:
        calls.append(label)
        return counted(label)

    for _ in range(3):
        assert cache.get(1, kota, ("branch",), 20, lambda: count("kota")) == counted("kota")
        assert cache.get(1, MatchAll(), ("branch",), 20, lambda: count("all")) == counted("all")
    cache.get(1, kota, ("branch",), 5, lambda: count("kota, 5"))
    cache.get(2, kota, ("branch",), 20, lambda: count("kota, generation 2"))
    assert calls == ["kota", "all", "kota, 5", "kota, generation 2"]


def test_forgets_the_least_recently_used_key_first() -> None:
    cache, calls = BrowseFacets(capacity=2), []
    keys = [FacetIn("branch", (code,)) for code in ("A", "B", "C")]

    def get(key: FacetIn) -> None:
        cache.get(1, key, ("branch",), 20, lambda: calls.append(key) or counted("x"))

    get(keys[0])
    get(keys[1])
    get(keys[0])  # A is now the most recently used
    get(keys[2])  # evicts B
    get(keys[0])
    get(keys[1])
    assert calls == [keys[0], keys[1], keys[2], keys[1]]
