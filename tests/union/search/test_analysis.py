"""The Indonesian analyzer: folding, reduplication, stop words, stemming; and the property
that makes index and query agree, idempotence on its own output."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from union.search.analysis import (
    MAX_TERM_LENGTH,
    STOP_WORDS,
    analyze,
    analyze_text,
    surface_text,
    term_of_word,
    title_key,
    tokens,
)


def test_sastrawi_stems_affixed_words() -> None:
    assert analyze("membaca perpustakaan menulis") == ["baca", "pustaka", "tulis"]
    assert analyze("kebudayaan pendidikan pengembangan") == ["budaya", "didik", "kembang"]


def test_stemming_keeps_perempuan() -> None:
    # PostgreSQL's snowball stemmer makes this "empu" (see ARCHITECTURE.md).
    assert analyze("perempuan") == ["perempuan"]


def test_case_accents_and_punctuation_are_folded() -> None:
    assert analyze("Pratèlan, TEMBOENG (Djawi)!") == ["pratelan", "tembung", "jawi"]


def test_old_spelling_is_folded_before_stemming() -> None:
    assert analyze("Soekarno Djakarta Tjerita rakjat") == ["sukarno", "jakarta", "cerita", "rakyat"]
    assert analyze("Sedjarah") == analyze("Sejarah") == ["sejarah"]


def test_modern_spelling_variants_are_folded() -> None:
    assert analyze("propinsi") == analyze("provinsi")


def test_plural_reduplication_gives_the_base() -> None:
    assert analyze("buku-buku") == ["buku"]
    assert analyze("anak2") == analyze("anak-anak") == ["anak"]
    assert analyze("Nilai-nilai budaya") == ["nilai", "budaya"]


def test_affixed_reduplication_gives_the_root() -> None:
    assert analyze("bermain-main") == ["main"]
    assert analyze("sebaik-baiknya") == ["baik"]


def test_reduplicated_lexeme_gives_base_and_whole() -> None:
    assert analyze("kupu-kupu") == ["kupu", "kupukupu"]
    (token,) = tokens("Kupu-kupu")
    assert token.terms == ("kupu", "kupukupu")
    assert token.surface == "kupu"


def test_hyphenated_compound_is_split() -> None:
    assert analyze("Indonesia-Jerman") == ["indonesia", "jerman"]
    assert analyze("Muhammadiyah-N.U.") == ["muhammadiyah", "nu"]
    assert analyze("Al-Qur'an") == ["al", "quran"]


def test_stop_words_are_dropped_in_both_languages() -> None:
    assert analyze("Sejarah dan budaya yang hilang") == ["sejarah", "budaya", "hilang"]
    assert analyze("The history of the library") == ["history", "library"]
    assert analyze("dan yang di") == []


def test_meaningful_short_words_are_not_stop_words() -> None:
    assert analyze("Bukan pasar malam") == ["bukan", "pasar", "malam"]
    assert "sang" not in STOP_WORDS


def test_a_stem_that_is_a_stop_word_keeps_the_word() -> None:
    assert term_of_word("menentang") == "menentang"


def test_numbers_pass_through() -> None:
    assert analyze("Undang-Undang no. 7 tahun 1992") == ["undang", "no", "7", "tahun", "1992"]


def test_over_long_words_are_dropped() -> None:
    assert analyze("a" * (MAX_TERM_LENGTH + 1) + " buku") == ["buku"]


def test_surfaces_are_folded_but_not_stemmed() -> None:
    assert surface_text("Membaca di Perpustakaan") == "membaca perpustakaan"


def test_sort_text_keeps_stop_words() -> None:
    assert analyze_text("Di bawah bendera revolusi").sort_text == "di bawah bendera revolusi"


def test_title_key_ignores_case_and_punctuation() -> None:
    assert title_key("Bumi Manusia.") == title_key("bumi manusia") == "bumi manusia"


def test_blank_text_has_no_terms() -> None:
    assert analyze("") == analyze(None) == analyze("  -- ; ") == []


# Pieces of Indonesian text, with the punctuation, digits and accents catalogues carry,
# old-spelling letter pairs and affixes, glued together in any order.
PIECES = (
    list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    + list(" -'.,:;()\"2éèÉøß\u00a0")
    + ["oe", "dj", "tj", "nj", "sj", "ch", "me", "ber", "an", "kan", "per", "ke"]
)
indonesian_text = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
REAL_WORDS = (
    "membaca perpustakaan Soekarno buku-buku kupu-kupu anak2 bermain-main Djakarta "
    "kebudayaan menentang yang dan the of Pratèlan N.U. Al-Qur'an 1945 jang "
    "Jogjakarta pengembangan perundang-undangan"
)
real_words = st.lists(st.sampled_from(REAL_WORDS.split()), max_size=8).map(" ".join)


@settings(max_examples=300)
@given(st.one_of(indonesian_text, real_words, st.text(max_size=40)))
@example("kupu-kupu buku-buku")
@example("menentang tentang")
def test_analysis_is_idempotent_on_its_output(text: str) -> None:
    terms = analyze(text)
    assert analyze(" ".join(terms)) == terms


@settings(max_examples=300)
@given(st.one_of(indonesian_text, real_words, st.text(max_size=40)))
def test_terms_are_single_words_without_stop_words(text: str) -> None:
    for term in analyze(text):
        assert term and not any(ch.isspace() for ch in term)
        assert term not in STOP_WORDS
        assert len(term) <= MAX_TERM_LENGTH
