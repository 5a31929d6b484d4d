"""Title highlighting (pure): spans of the printed title whose words match."""

from __future__ import annotations

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
