"""The behaviour every search engine must show, run on each engine (tantivy and Whoosh)
against a real index in a temporary directory."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.union.search.catalogue import BY_ID, CATALOGUE, ids
from union.search.documents import SearchDocument
from union.search.engine import SearchEngine, SearchQuery, Sort, open_engine
from union.search.fields import ANY_BRANCH, FACETS, YEAR_RANGES, main_heading
from union.search.highlight import mark
from union.search.query import QuerySyntaxError
from union.text.folding import fold_text


def found(engine: SearchEngine, text: str, **options: object) -> set[str]:
    """The ids of every match of ``text``."""
    return set(ids(engine.search(SearchQuery(text, limit=100, **options))))  # type: ignore[arg-type]


def first(engine: SearchEngine, text: str) -> str:
    """The id of the best match."""
    return ids(engine.search(SearchQuery(text, limit=1)))[0]


# -- matching ---------------------------------------------------------------------------


def test_stemmed_word_finds_its_root(engine: SearchEngine) -> None:
    assert {"baca", "menulis"} <= found(engine, "membaca")
    assert "pustaka" in found(engine, "perpustakaan")
    assert "menulis" in found(engine, "tulisan")


def test_old_spelling_finds_modern_spelling_and_back(engine: SearchEngine) -> None:
    assert {"dbr", "sukarno"} <= found(engine, "Soekarno")
    assert {"dbr", "sukarno"} <= found(engine, "Sukarno")
    assert {"djakarta", "jakarta"} <= found(engine, "Djakarta")
    assert {"djakarta", "jakarta"} <= found(engine, "Jakarta")
    assert found(engine, "tempo dulu") == {"djakarta"}


def test_reduplicated_plural_is_its_base_word(engine: SearchEngine) -> None:
    assert {"baca", "sd"} <= found(engine, "buku")
    assert {"baca", "sd"} <= found(engine, "buku-buku")
    assert found(engine, "buku2") == found(engine, "buku")


def test_reduplicated_lexeme_is_found_by_its_base_and_whole(engine: SearchEngine) -> None:
    assert found(engine, "kupu") == {"kupu"}
    assert first(engine, "kupu-kupu") == "kupu"


def test_stop_words_are_ignored(engine: SearchEngine) -> None:
    assert found(engine, "sejarah dan perjuangan rakyat") == {"kalbar"}
    assert "java" in found(engine, "the history of java")
    assert engine.search(SearchQuery("dan yang")).total == 0


def test_fielded_queries_in_indonesian_and_english(engine: SearchEngine) -> None:
    pairs = [
        ("judul:bumi", "title:bumi", {"bumi", "esai"}),
        ("pengarang:toer", "author:toer", {"bumi", "bangsa", "pasar"}),
        ("subjek:libraries", "subject:libraries", {"pustaka"}),
        ('penerbit:"hasta mitra"', 'publisher:"hasta mitra"', {"bumi", "bangsa"}),
        ("seri:buru", "series:buru", {"bumi", "bangsa"}),
        ("tahun:1980", "year:1980", {"bumi", "bangsa"}),
    ]
    for indonesian, english, expected in pairs:
        assert found(engine, indonesian) == expected, indonesian
        assert found(engine, english) == expected, english


def test_a_field_restricts_the_match(engine: SearchEngine) -> None:
    assert found(engine, "judul:toer") == set()
    assert found(engine, "pengarang:bumi") == set()


def test_phrase_needs_adjacent_words_in_order(engine: SearchEngine) -> None:
    assert found(engine, '"semua bangsa"') == {"bangsa"}
    assert found(engine, '"bangsa semua"') == set()
    assert found(engine, 'judul:"tempo doeloe"') == {"djakarta"}


def test_and_or_in_both_languages(engine: SearchEngine) -> None:
    assert found(engine, "toer AND bumi") == {"bumi"}
    assert found(engine, "toer DAN bumi") == {"bumi"}
    assert found(engine, "bangsa OR centhini") == {"bangsa", "centhini"}
    assert found(engine, "bangsa ATAU centhini") == {"bangsa", "centhini"}
    assert found(engine, "sejarah rawas OR barat") == {"musirawas", "kalbar"}


def test_not_excludes(engine: SearchEngine) -> None:
    assert found(engine, "toer NOT bumi") == {"bangsa", "pasar"}
    assert found(engine, "toer BUKAN bumi") == {"bangsa", "pasar"}
    assert found(engine, "toer -bumi") == {"bangsa", "pasar"}
    assert len(found(engine, "NOT toer")) == len(CATALOGUE) - 3


def test_capitalized_bukan_in_a_title_is_a_word(engine: SearchEngine) -> None:
    assert first(engine, "Bukan pasar malam") == "pasar"


def test_typo_is_corrected_when_nothing_matches(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("perpustakan", limit=100))
    assert ids(results)[0] == "pustaka"
    assert set(ids(results)) == found(engine, "perpustakaan")
    assert results.corrections == {"perpustakan": ("perpustakaan",)}
    assert "kalbar" in found(engine, "sejarh perjuangan")


def test_typo_tolerance_can_be_switched_off(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery("perpustakan", typo_tolerance=False)).total == 0


def test_exact_query_reports_no_corrections(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery("perpustakaan")).corrections == {}


def test_short_words_are_not_corrected(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("bku"))
    assert results.total == 0
    assert results.corrections == {}


def test_isbn10_finds_the_isbn13_record(engine: SearchEngine) -> None:
    assert found(engine, "979-407-177-3") == {"baca"}
    assert found(engine, "9794071773") == {"baca"}
    assert found(engine, "isbn:979-96189-0-8") == {"bumi"}
    assert found(engine, "978-979-97512-3-2") == {"jakarta"}


def test_exact_title_ranks_first(engine: SearchEngine) -> None:
    # "esai" repeats both words and would win on term frequency alone.
    assert first(engine, "bumi manusia") == "bumi"
    assert first(engine, "Bumi Manusia.") == "bumi"


def test_blank_query_lists_everything(engine: SearchEngine) -> None:
    assert engine.search(SearchQuery("")).total == len(CATALOGUE)


def test_query_syntax_error_reaches_the_caller(engine: SearchEngine) -> None:
    with pytest.raises(QuerySyntaxError):
        engine.search(SearchQuery("tahun:sembilan"))


# -- facets and filters -----------------------------------------------------------------


def expected_facets(docs: list[SearchDocument]) -> dict[str, dict[str, int]]:
    """Facet counts computed directly from the documents."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for doc in docs:
        counts["branch"].update(doc.branches)
        counts["available"].update(
            (ANY_BRANCH, *doc.available_branches) if doc.available_branches else ()
        )
        counts["language"].update(doc.languages)
        counts["format"].update([doc.format])
        counts["subject"].update({main_heading(s) for s in doc.subjects})
        counts["local"].update(["true" if doc.local else "false"])
        counts["year"].update(r.label for r in YEAR_RANGES if r.contains(doc.year))
    expected = {name: dict(counter) for name, counter in counts.items()}
    for bucket in YEAR_RANGES:
        expected["year"].setdefault(bucket.label, 0)
    return expected


def test_facet_counts_are_exact(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("", facets=FACETS, facet_limit=100))
    expected = expected_facets(list(CATALOGUE))
    for name in FACETS:
        assert results.facet_counts(name) == expected[name], name


def test_facet_counts_follow_the_query(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("toer", facets=FACETS, facet_limit=100))
    expected = expected_facets([BY_ID["bumi"], BY_ID["bangsa"], BY_ID["pasar"]])
    for name in FACETS:
        assert results.facet_counts(name) == expected[name], name


def test_facet_values_are_most_frequent_first_and_limited(engine: SearchEngine) -> None:
    branch = engine.search(SearchQuery("", facets=("branch",), facet_limit=2)).facets["branch"]
    assert [(v.value, v.count) for v in branch] == [("KOTA", 10), ("DESA01", 5)]


def test_year_facet_lists_every_range_in_order(engine: SearchEngine) -> None:
    year = engine.search(SearchQuery("toer", facets=("year",))).facets["year"]
    assert [(v.value, v.count) for v in year] == [
        ("-1969", 1),
        ("1970-1999", 2),
        ("2000-2009", 0),
        ("2010-", 0),
    ]


def test_filter_on_one_facet_value(engine: SearchEngine) -> None:
    expected = {doc.id for doc in CATALOGUE if "DESA02" in doc.branches}
    assert found(engine, "", filters={"branch": ["DESA02"]}) == expected


def test_values_of_one_facet_are_alternatives(engine: SearchEngine) -> None:
    expected = {doc.id for doc in CATALOGUE if {"jav", "eng"} & set(doc.languages)}
    assert (
        found(engine, "", filters={"language": ["jav", "eng"]}) == expected == {"java", "centhini"}
    )


def test_filter_on_a_subject_heading_with_spaces(engine: SearchEngine) -> None:
    assert found(engine, "", filters={"subject": ["Libraries -- Indonesia"]}) == {"pustaka"}


def test_the_subject_facet_counts_main_headings(engine: SearchEngine) -> None:
    subject = engine.search(SearchQuery("", facets=("subject",), facet_limit=100))
    values = dict(subject.facet_counts("subject"))
    assert values["Libraries"] == 1 and values["Reading (Elementary)"] == 1
    assert not any("--" in value for value in values)


def test_filter_on_a_main_heading_keeps_every_heading_under_it(engine: SearchEngine) -> None:
    assert found(engine, "", filters={"subject": ["Reading"]}) == {"baca"}
    assert found(engine, "", filters={"subject": ["Libraries"]}) == {"pustaka"}


def test_filters_on_different_facets_all_hold(engine: SearchEngine) -> None:
    expected = {d.id for d in CATALOGUE if "KOTA" in d.branches and d.local}
    assert found(engine, "", filters={"branch": ["KOTA"], "local": ["true"]}) == expected
    assert expected == {"musirawas"}


def test_available_filter_keeps_works_on_the_shelf(engine: SearchEngine) -> None:
    anywhere = {doc.id for doc in CATALOGUE if doc.available_branches}
    assert found(engine, "", filters={"available": [ANY_BRANCH]}) == anywhere
    assert found(engine, "toer", filters={"available": ["DESA02"]}) == {"bumi"}


def test_filters_combine_with_the_query(engine: SearchEngine) -> None:
    assert found(engine, "sejarah", filters={"local": ["true"]}) == {"musirawas"}


def test_year_range_filter_and_bounds(engine: SearchEngine) -> None:
    nineties = {d.id for d in CATALOGUE if d.year is not None and 1990 <= d.year <= 1999}
    assert found(engine, "", filters={"year": ["1990-1999"]}) == nineties
    assert found(engine, "", year_from=1990, year_to=1999) == nineties
    assert found(engine, "tahun:1990-1999") == nineties
    assert found(engine, "tahun:-1969") == {"dbr", "pasar", "java"}
    assert found(engine, "", filters={"year": ["2010-"]}) == {
        "jakarta",
        "sd",
        "esai",
        "linggau",
        "menulis",
    }


def test_work_without_a_year_is_in_no_year_range(engine: SearchEngine) -> None:
    every_range = [bucket.label for bucket in YEAR_RANGES]
    assert "tempo" not in found(engine, "", filters={"year": every_range})


# -- order and pages --------------------------------------------------------------------


def test_sort_by_year_both_ways_with_unknown_years_last(engine: SearchEngine) -> None:
    for sort, reverse in ((Sort.YEAR_ASC, False), (Sort.YEAR_DESC, True)):
        order = ids(engine.search(SearchQuery("", sort=sort, limit=100)))
        years = [BY_ID[i].year for i in order]
        assert years[-1] is None and order[-1] == "tempo"
        known = [year for year in years if year is not None]
        assert known == sorted(known, reverse=reverse)


def test_sort_by_title_ignores_case_accents_and_nonfiling_words(engine: SearchEngine) -> None:
    order = ids(engine.search(SearchQuery("", sort=Sort.TITLE, limit=100)))
    keys = [fold_text(BY_ID[i].sort_title) for i in order]
    assert keys == sorted(keys)
    assert order.index("java") < order.index("jakarta")  # "History of Java" files under H


def test_pages_cover_the_results_without_gaps_or_repeats(engine: SearchEngine) -> None:
    for sort in (Sort.RELEVANCE, Sort.YEAR_ASC, Sort.TITLE):
        whole = ids(engine.search(SearchQuery("", sort=sort, limit=100)))
        pages = []
        for offset in range(0, len(CATALOGUE), 4):
            page = engine.search(SearchQuery("", sort=sort, offset=offset, limit=4))
            assert page.total == len(CATALOGUE)
            pages.extend(ids(page))
        assert pages == whole, sort


def test_count_only_search(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("toer", limit=0))
    assert results.total == 3
    assert results.hits == ()


def test_page_past_the_end_is_empty(engine: SearchEngine) -> None:
    results = engine.search(SearchQuery("toer", offset=10))
    assert results.total == 3
    assert results.hits == ()


# -- hits -------------------------------------------------------------------------------


def test_hit_carries_the_display_fields(engine: SearchEngine) -> None:
    hit = engine.search(SearchQuery("bumi manusia")).hits[0]
    assert hit.fields == BY_ID["bumi"].display_fields()
    assert hit.score > 0


def test_title_highlight_marks_matching_words(engine: SearchEngine) -> None:
    hit = engine.search(SearchQuery("membaca anak")).hits[0]
    title = hit.fields["title"]
    assert title == "Menulis dan membaca untuk anak"
    assert [title[start:end] for start, end in hit.highlights] == ["membaca", "anak"]
    assert mark(title, hit.highlights) == "Menulis dan <mark>membaca</mark> untuk <mark>anak</mark>"


def test_highlight_follows_folding_and_stemming(engine: SearchEngine) -> None:
    hit = engine.search(SearchQuery("Soekarno kemerdekaan")).hits[0]
    title = hit.fields["title"]
    assert [title[start:end] for start, end in hit.highlights] == ["Sukarno", "kemerdekaan"]


def test_excluded_words_are_not_highlighted(engine: SearchEngine) -> None:
    hit = engine.search(SearchQuery("malam NOT kupu")).hits[0]
    assert hit.id == "pasar"
    assert [hit.fields["title"][s:e] for s, e in hit.highlights] == ["malam"]


# -- changes ----------------------------------------------------------------------------


def test_delete_then_commit_removes(engine: SearchEngine) -> None:
    engine.delete(["bumi", "no-such-id"])
    assert "bumi" in found(engine, "bumi manusia")  # not yet committed
    engine.commit()
    assert found(engine, "bumi manusia") == {"esai"}
    assert engine.search(SearchQuery("")).total == len(CATALOGUE) - 1


def test_re_adding_an_id_replaces_the_document(engine: SearchEngine) -> None:
    engine.add([SearchDocument("bumi", "Rumah kaca", authors=["Toer, Pramoedya Ananta"])])
    engine.commit()
    assert found(engine, "rumah kaca") == {"bumi"}
    assert "bumi" not in found(engine, "judul:bumi")
    assert engine.search(SearchQuery("")).total == len(CATALOGUE)


def test_adding_an_id_twice_before_a_commit_keeps_the_last(empty_engine: SearchEngine) -> None:
    empty_engine.add([SearchDocument("w1", "Bumi manusia"), SearchDocument("w1", "Rumah kaca")])
    empty_engine.add([SearchDocument("w1", "Jejak langkah")])
    empty_engine.commit()
    assert ids(empty_engine.search(SearchQuery(""))) == ["w1"]
    assert found(empty_engine, "jejak") == {"w1"}


def test_delete_after_add_before_commit(empty_engine: SearchEngine) -> None:
    empty_engine.add([SearchDocument("w1", "Bumi manusia"), SearchDocument("w2", "Rumah kaca")])
    empty_engine.delete(["w1"])
    empty_engine.commit()
    assert ids(empty_engine.search(SearchQuery(""))) == ["w2"]


def test_uncommitted_changes_are_not_searched(empty_engine: SearchEngine) -> None:
    empty_engine.add([SearchDocument("w1", "Bumi manusia")])
    assert empty_engine.search(SearchQuery("")).total == 0
    empty_engine.commit()
    assert empty_engine.search(SearchQuery("")).total == 1


def test_existing_index_is_reopened(
    engine_name: str, engine: SearchEngine, index_dir: Path
) -> None:
    engine.close()
    again = open_engine(engine_name, index_dir)
    try:
        assert again.search(SearchQuery("")).total == len(CATALOGUE)
        assert found(again, "Soekarno") >= {"dbr", "sukarno"}
        again.add([SearchDocument("new", "Rumah kaca")])
        again.commit()
        assert found(again, "rumah kaca") == {"new"}
    finally:
        again.close()


def test_whole_catalogue_facets_follow_commits(engine: SearchEngine) -> None:
    before = engine.search(SearchQuery("", facets=("branch",))).facet_counts("branch")
    engine.add([SearchDocument("new", "Rumah kaca", branches=["DESA09"])])
    engine.commit()
    after = engine.search(SearchQuery("", facets=("branch",))).facet_counts("branch")
    assert after == {**before, "DESA09": 1}
    engine.delete(["new"])
    engine.commit()
    assert engine.search(SearchQuery("", facets=("branch",))).facet_counts("branch") == before


def test_refresh_sees_another_writers_commits(
    engine_name: str, engine: SearchEngine, index_dir: Path
) -> None:
    reader = open_engine(engine_name, index_dir)
    try:
        assert reader.search(SearchQuery("")).total == len(CATALOGUE)
        engine.add([SearchDocument("new", "Rumah kaca")])
        engine.commit()
        reader.refresh()
        assert found(reader, "rumah kaca") == {"new"}
    finally:
        reader.close()
