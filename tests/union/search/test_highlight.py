"""Title highlighting (pure): spans of the printed title whose words match."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.loc import loc_bibs
from tests.union.search.test_stemming_fast_path import affix_shaped_words, hyphenated_pairs
from union.search.analysis import analyze_chunk
from union.search.highlight import highlight_spans, mark


def words(text: str, terms: set[str]) -> list[str]:
    return [text[start:end] for start, end in highlight_spans(text, terms)]


def test_words_matching_after_analysis_are_marked() -> None:
    assert words("Menulis dan membaca untuk anak", {"baca"}) == ["membaca"]
    assert words("Sedjarah Djakarta", {"jakarta"}) == ["Djakarta"]
    assert words("Kupu-kupu malam", {"kupukupu"}) == ["Kupu-kupu"]


def test_edge_punctuation_is_left_out() -> None:
    assert words('Cerita "Manuk sidanggur dawa-dawa" (1999),', {"manuk", "1999"}) == [
        "Manuk",
        "1999",
    ]


def test_no_terms_no_spans() -> None:
    assert highlight_spans("Bumi manusia", set()) == ()
    assert highlight_spans(None, {"bumi"}) == ()


def test_mark_escapes_html() -> None:
    text = "Tom & Jerry <di> Jakarta"
    assert mark(text, highlight_spans(text, {"jakarta"})) == (
        "Tom &amp; Jerry &lt;di&gt; <mark>Jakarta</mark>"
    )


def test_a_word_that_could_not_hold_a_term_is_not_analyzed() -> None:
    analyze_chunk.cache_clear()
    assert words("Pramoedya menulis Bumi manusia", {"tulis"}) == ["menulis"]
    assert analyze_chunk.cache_info().currsize == 1


def test_every_term_of_a_real_title_word_marks_it() -> None:
    """No chunk of the 2,828 LoC titles is passed over for any of its own terms."""
    missed = {}
    for bib in loc_bibs():
        for chunk in f"{bib.title} {bib.subtitle or ''}".split():
            for term in analyze_chunk(chunk).terms:
                if not highlight_spans(chunk, {term}):
                    missed[chunk] = term
    assert missed == {}


@settings(max_examples=2000, deadline=None)
@given(st.one_of(affix_shaped_words, hyphenated_pairs))
def test_every_term_of_an_affixed_word_marks_it(word: str) -> None:
    for term in analyze_chunk(word).terms:
        assert highlight_spans(word, {term})


def test_terms_reached_through_the_variant_tables_are_marked() -> None:
    assert words("Menasehati anak", {"nasihat"}) == ["Menasehati"]
    assert words("Obyek wisata Djokjakarta", {"objek", "yogyakarta"}) == [
        "Obyek", "Djokjakarta"]


def test_a_reduplication_written_with_2_is_marked_for_its_whole() -> None:
    assert words("Kupu2 malam", {"kupukupu"}) == ["Kupu2"]
