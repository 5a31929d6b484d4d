"""Search documents, their analyzed index fields, the search request, and opening an
index directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from union.bib_record import Agent, BibRecord, Item
from union.search.documents import SearchDocument, document_from_bib
from union.search.engine import MAX_LIMIT, SearchQuery, Sort, open_engine
from union.search.fields import ANY_BRANCH, YEAR_RANGES, prepare
from union.search.layout import IndexLayoutError


def test_sequences_become_tuples() -> None:
    doc = SearchDocument("w1", "Bumi manusia", authors=["Toer, Pramoedya Ananta"])
    assert doc.authors == ("Toer, Pramoedya Ananta",)


def test_a_string_where_a_sequence_belongs_is_refused() -> None:
    with pytest.raises(TypeError, match="authors"):
        SearchDocument("w1", "Bumi manusia", authors="Toer")  # type: ignore[arg-type]


def test_an_id_is_required() -> None:
    with pytest.raises(ValueError, match="id"):
        SearchDocument("", "Bumi manusia")


def test_document_from_bib_takes_holdings_from_items() -> None:
    bib = BibRecord(
        title="Bumi manusia",
        agents=(
            Agent("Hasta Mitra", kind="body", role="publisher"),
            Agent("Toer, Pramoedya Ananta", main=True),
        ),
        year=1980,
        isbns=("9789799618900",),
        invalid_isbns=("979-96189-0-9",),
        items=(
            Item(barcode="1", status="available"),
            Item(barcode="2", branch="DESA01", status="on_loan"),
            Item(barcode="3", branch="DESA02", status="available"),
        ),
        edition="Cet. 2",
    )
    doc = document_from_bib("w1", bib, home_branch="KOTA", local=True)
    assert doc.branches == ("KOTA", "DESA01", "DESA02")
    assert doc.available_branches == ("KOTA", "DESA02")
    assert doc.authors == ("Toer, Pramoedya Ananta", "Hasta Mitra")
    assert doc.isbns == ("9789799618900", "9799618909")
    assert doc.local
    assert doc.display_fields()["edition"] == "Cet. 2"


def test_display_fields_are_short() -> None:
    doc = SearchDocument("w1", "Bumi manusia", authors=["A", "B", "C", "D"], year=1980)
    fields = doc.display_fields()
    assert fields["authors"] == ["A", "B", "C"]
    assert fields["year"] == 1980
    assert "subtitle" not in fields


def test_prepare_analyzes_every_field() -> None:
    doc = SearchDocument(
        "w1",
        "The history of Java",
        subtitle="Membaca sedjarah",
        authors=["Raffles, Thomas Stamford"],
        subjects=["Java (Indonesia) -- History"],
        publisher="Balai Pustaka",
        year=1817,
        available_branches=["KOTA"],
        branches=["KOTA"],
        title_nonfiling=4,
    )
    prepared = prepare(doc)
    assert prepared.text["title"] == "history java baca sejarah"
    assert prepared.text["author"] == "raffles thomas stamford"
    assert prepared.words.startswith("history java membaca sejarah raffles")
    assert prepared.title_key == "history java"
    assert prepared.title_sort == "history of java"
    assert prepared.facets["f_available"] == (ANY_BRANCH, "KOTA")
    assert prepared.facets["f_local"] == ("false",)


def test_year_ranges_cover_every_year_once() -> None:
    for year in (1000, 1969, 1970, 1999, 2000, 2009, 2010, 2030):
        assert sum(bucket.contains(year) for bucket in YEAR_RANGES) == 1
    assert not any(bucket.contains(None) for bucket in YEAR_RANGES)


def test_search_query_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="facet"):
        SearchQuery("buku", facets=("colour",))
    with pytest.raises(ValueError, match="facet"):
        SearchQuery("buku", filters={"colour": ["red"]})
    with pytest.raises(ValueError, match="limit"):
        SearchQuery("buku", limit=MAX_LIMIT + 1)
    with pytest.raises(ValueError, match="offset"):
        SearchQuery("buku", offset=-1)
    assert SearchQuery("buku", sort="year_desc").sort is Sort.YEAR_DESC  # type: ignore[arg-type]


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="engine"):
        open_engine("lucene", tmp_path)


def test_another_engines_directory_is_refused(tmp_path: Path) -> None:
    open_engine("tantivy", tmp_path).close()
    with pytest.raises(IndexLayoutError, match="rebuild"):
        open_engine("whoosh", tmp_path)
