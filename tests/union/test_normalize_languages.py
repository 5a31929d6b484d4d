"""Language codes from MARC codes and from Indonesian and English names."""

from __future__ import annotations

from union.normalize.languages import codes_from_041, languages_from_text, marc_language


def test_marc_code_passes_through() -> None:
    assert marc_language("ind") == "ind"
    assert marc_language("fin ") == "fin"


def test_iso639_1_codes_map_to_marc_codes() -> None:
    assert marc_language("id") == "ind"
    assert marc_language("en") == "eng"
    assert marc_language("in") == "ind"  # the withdrawn code old systems still emit


def test_terminologic_codes_map_to_marc_bibliographic_codes() -> None:
    assert marc_language("msa") == "may"
    assert marc_language("nld") == "dut"


def test_undetermined_and_fill_codes_are_dropped() -> None:
    assert marc_language("und") is None
    assert marc_language("|||") is None
    assert marc_language("   ") is None


def test_packed_041_codes_are_split() -> None:
    assert codes_from_041("indeng") == ["ind", "eng"]


def test_indonesian_language_names() -> None:
    assert languages_from_text("Indonesia") == ["ind"]
    assert languages_from_text("Bahasa Indonesia") == ["ind"]
    assert languages_from_text("Inggris") == ["eng"]
    assert languages_from_text("Bahasa Inggris") == ["eng"]


def test_english_language_names() -> None:
    assert languages_from_text("English") == ["eng"]
    assert languages_from_text("Indonesian") == ["ind"]


def test_regional_languages_of_indonesia() -> None:
    assert languages_from_text("Jawa") == ["jav"]
    assert languages_from_text("Sunda") == ["sun"]
    assert languages_from_text("Bahasa Bali") == ["ban"]
    assert languages_from_text("Minangkabau") == ["min"]


def test_several_languages_in_one_statement() -> None:
    assert languages_from_text("Indonesia; Inggris") == ["ind", "eng"]
    assert languages_from_text("Indonesia dan Arab") == ["ind", "ara"]


def test_codes_in_dublin_core_language() -> None:
    assert languages_from_text("en") == ["eng"]
    assert languages_from_text("ind") == ["ind"]


def test_unknown_names_and_stray_words_are_dropped() -> None:
    assert languages_from_text("Klingon") == []
    assert languages_from_text("the") == []
