"""Real searches over the 2,828 real LoC records of Indonesian, Malay, Javanese and
Sundanese books, indexed in both engines through the normalizer and
:func:`~union.search.documents.document_from_bib`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pymarc
import pytest

from union.bib_record import BibRecord
from union.normalize import bib_from_marc
from union.search.analysis import index_text
from union.search.documents import document_from_bib
from union.search.engine import ENGINES, SearchEngine, SearchQuery, open_engine

LOC = "data/marc/loc-booksall-2016-part01/BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"
BRANCHES = ("KOTA", "DESA01", "DESA02")


@pytest.fixture(scope="module")
def bibs(shared: Path) -> dict[str, BibRecord]:
    """Every record, normalized, by its 001."""
    with (shared / LOC).open("rb") as handle:
        return {r["001"].data.strip(): bib_from_marc(r) for r in pymarc.MARCReader(handle)}


@pytest.fixture(scope="module")
def engines(
    bibs: dict[str, BibRecord], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, SearchEngine]]:
    """Both engines, each holding every record (branches assigned in turn)."""
    docs = [
        document_from_bib(f"loc:{key}", bib, home_branch=BRANCHES[n % len(BRANCHES)])
        for n, (key, bib) in enumerate(sorted(bibs.items()))
    ]
    opened = {}
    for name in ENGINES:
        engine = open_engine(name, tmp_path_factory.mktemp(name))
        engine.add(docs)
        engine.commit()
        opened[name] = engine
    yield opened
    for engine in opened.values():
        engine.close()


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, engines: dict[str, SearchEngine]) -> SearchEngine:
    """Each loaded engine in turn."""
    return engines[request.param]


def found(engine: SearchEngine, text: str) -> set[str]:
    results = engine.search(SearchQuery(text, limit=1000))
    assert results.total == len(results.hits)
    return {hit.id.removeprefix("loc:") for hit in results.hits}


def test_every_record_is_indexed(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery("")).total == 2828


def test_soekarno_and_sukarno_find_the_same_works(engine: SearchEngine) -> None:
    old, modern = found(engine, "Soekarno"), found(engine, "Sukarno")
    assert old == modern
    # In a title ("Soekarno-Hatta"), a subtitle and an author heading.
    assert {"00369534", "00280926", "00280918", "00280919"} <= old


def test_tjerita_finds_cerita_and_back(engine: SearchEngine) -> None:
    assert found(engine, "tjerita") == found(engine, "cerita")
    assert {"00369182", "00281043"} <= found(engine, "cerita")


def test_old_spelled_javanese_title_by_modern_words(engine: SearchEngine) -> None:
    assert "00369420" in found(engine, "pratelan tembung jawi")
    assert "00369420" in found(engine, "Pratèlan temboeng Djawi")


def test_title_search_for_perpustakaan(engine: SearchEngine) -> None:
    assert "00369454" in found(engine, "judul:perpustakaan")


def test_exact_title_ranks_bumi_manusia_first(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery("bumi manusia")).hits[0].id == "loc:00366781"


def test_isbn10_finds_real_isbn13(engine: SearchEngine) -> None:
    assert found(engine, "979-96189-0-8") == {"00368489"}


def test_typo_in_a_real_word(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("perpustakan akademik"))
    assert results.hits[0].id == "loc:00369454"
    assert results.corrections == {"perpustakan": ("perpustakaan",)}


def test_language_facet_counts_every_record(
    engine: SearchEngine, bibs: dict[str, BibRecord]
) -> None:
    results = engine.search(SearchQuery("", facets=("language",), facet_limit=100))
    assert results.facet_counts("language") == Counter(
        language for bib in bibs.values() for language in bib.languages
    )


def test_year_range_count(engine: SearchEngine, bibs: dict[str, BibRecord]) -> None:
    expected = sum(1 for bib in bibs.values() if bib.year and 1990 <= bib.year <= 1999)
    assert engine.search(SearchQuery("tahun:1990-1999")).total == expected
    assert engine.search(SearchQuery("", year_from=1990, year_to=1999)).total == expected


def test_title_phrase_matches_a_reference_scan(
    engine: SearchEngine, bibs: dict[str, BibRecord]
) -> None:
    def has_phrase(bib: BibRecord) -> bool:
        terms = index_text(bib.title, bib.subtitle).split()
        return any(terms[i : i + 2] == ["lapor", "teliti"] for i in range(len(terms)))

    expected = {key for key, bib in bibs.items() if has_phrase(bib)}
    assert len(expected) > 300
    assert found(engine, 'judul:"laporan penelitian"') == expected


@pytest.mark.parametrize(
    "text",
    [
        "sejarah",
        "undang-undang",
        "hukum islam",
        "pendidikan NOT agama",
        "ekonomi OR keuangan",
        '"hak asasi manusia"',
        "pengarang:soekarno",
        "subjek:history tahun:1990-2000",
    ],
)
def test_both_engines_find_the_same_works(engines: dict[str, SearchEngine], text: str) -> None:
    found_by = {name: found(engine, text) for name, engine in engines.items()}
    first, second = found_by.values()
    assert first == second
    assert first
