"""Text clean-up: NFC, whitespace, ISBD punctuation, brackets, mis-decoded UTF-8."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from union.normalize.text import clean, repair_mojibake, strip_isbd, tidy, truncate, unbracket


def test_whitespace_is_collapsed_and_trimmed() -> None:
    assert clean("  Sejarah\t\nIndonesia \u00a0 modern ") == "Sejarah Indonesia modern"


def test_decomposed_text_is_composed_to_nfc() -> None:
    assert clean("Me\u0301xico") == "México"


def test_control_characters_are_removed() -> None:
    assert clean("Judul\x00 buku\x1b") == "Judul buku"


@given(st.text())
def test_clean_is_idempotent(value: str) -> None:
    assert clean(clean(value)) == clean(value)


@given(st.text())
def test_clean_output_is_nfc_and_trimmed(value: str) -> None:
    cleaned = clean(value)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(st.text())
def test_tidy_is_idempotent(value: str) -> None:
    assert tidy(tidy(value)) == tidy(value)


def test_isbd_separators_are_stripped_from_the_end() -> None:
    assert strip_isbd("Pada maca :") == "Pada maca"
    assert strip_isbd("Jakarta ;") == "Jakarta"
    assert strip_isbd("Title /") == "Title"
    assert strip_isbd("Judul utama =") == "Judul utama"
    assert strip_isbd("Pabelan,") == "Pabelan"


def test_closing_period_is_stripped() -> None:
    assert strip_isbd("Buku tuntunan administrasi 'Aisyiyah.") == (
        "Buku tuntunan administrasi 'Aisyiyah"
    )


def test_period_of_an_initial_is_kept() -> None:
    assert strip_isbd("Tarrant, James J.") == "Tarrant, James J."


def test_period_of_an_abbreviation_is_kept() -> None:
    assert strip_isbd("2nd ed.") == "2nd ed."
    assert strip_isbd("Sugiyanto, S.Pd.") == "Sugiyanto, S.Pd."
    assert strip_isbd("Internews Indonesia, Media Law Dept.") == (
        "Internews Indonesia, Media Law Dept."
    )


def test_ellipsis_is_kept() -> None:
    assert strip_isbd("Dan lain-lain...") == "Dan lain-lain..."


def test_period_after_a_closing_bracket_is_stripped() -> None:
    assert strip_isbd("[Cet. 1.].") == "[Cet. 1.]"


def test_brackets_of_supplied_information_are_removed() -> None:
    assert unbracket("[Padang]") == "Padang"
    assert unbracket("Ford Foundation [dan] Penerbit Bendera") == (
        "Ford Foundation dan Penerbit Bendera"
    )


def test_long_text_is_truncated_at_a_word() -> None:
    assert truncate("satu dua tiga empat lima", 15) == "satu dua tiga…"
    assert truncate("pendek", 15) == "pendek"


def test_doubly_misdecoded_utf8_is_repaired() -> None:
    # From SLiMS's sample data: "’" encoded as UTF-8, decoded as cp1252, twice.
    assert repair_mojibake("DeveloperÃ¢â‚¬â„¢s library") == "Developer’s library"


def test_genuine_text_is_left_alone_by_the_mojibake_repair() -> None:
    assert repair_mojibake("São Paulo") == "São Paulo"
    assert repair_mojibake("Ã la carte") == "Ã la carte"
