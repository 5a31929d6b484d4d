"""Text folding: case, accents, punctuation, and the pre-1972 Indonesian spellings.

Old-spelling examples are taken from real Library of Congress records of Indonesian,
Javanese and Sundanese books (loc-booksall-2016-part01).
"""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from union.text import fold_old_spelling_word, fold_text, is_old_spelled, tokens


def test_case_and_accents_are_folded() -> None:
    assert fold_text("Radèn Ngabèhi") == "raden ngabehi"
    assert fold_text("PRATÈLAN Temboeng") == "pratelan tembung"


def test_letters_without_decomposition_are_transliterated() -> None:
    assert fold_text("Ø ß Æ") == "o ss ae"


def test_punctuation_becomes_word_breaks() -> None:
    assert fold_text("Otonomi daerah : perkembangan/pemikiran, (2000)!") == (
        "otonomi daerah perkembangan pemikiran 2000"
    )


def test_hyphenated_reduplication_becomes_two_words() -> None:
    assert fold_text("Nilai-nilai budaya") == "nilai nilai budaya"


def test_reduplication_written_with_2_is_spelled_out() -> None:
    assert fold_text("anak2 dan kata2") == fold_text("anak-anak dan kata-kata")


def test_digit_2_inside_a_word_is_not_reduplication() -> None:
    assert fold_text("H2O") == "h2o"


def test_initialisms_with_periods_fold_like_without() -> None:
    # Real pair of LoC records: "Muhammadiyah-N.U." and "Muhammadiyah-NU".
    assert fold_text("Muhammadiyah-N.U.") == fold_text("Muhammadiyah-NU") == "muhammadiyah nu"


def test_apostrophe_inside_a_word_keeps_the_word_whole() -> None:
    assert fold_text("Al-Qur'an, Jum'at") == "al quran jumat"


def test_whitespace_is_collapsed() -> None:
    assert fold_text("  Sejarah \t\n Indonesia  ") == "sejarah indonesia"


def test_empty_and_missing_text_fold_to_empty() -> None:
    assert fold_text(None) == ""
    assert fold_text("") == ""
    assert fold_text(" ;: ") == ""


def test_old_spelling_soekarno_equals_sukarno() -> None:
    assert fold_text("Soekarno") == fold_text("Sukarno") == "sukarno"


def test_old_spelling_djakarta_equals_jakarta() -> None:
    assert fold_text("Djakarta") == fold_text("Jakarta") == "jakarta"


def test_old_spelling_tjokroaminoto_equals_cokroaminoto() -> None:
    assert fold_text("Tjokroaminoto") == fold_text("Cokroaminoto")


def test_old_spelling_jogjakarta_equals_yogyakarta() -> None:
    for old in ("Jogjakarta", "Djokjakarta", "Djogjakarta"):
        assert fold_text(old) == fold_text("Yogyakarta") == "yogyakarta"
    assert fold_text("Jogja") == fold_text("Yogya")


def test_old_spelling_sj_becomes_sy() -> None:
    assert fold_text("Sjahrir") == fold_text("Syahrir")


def test_old_spelling_ch_becomes_kh() -> None:
    assert fold_text("tarich") == fold_text("tarikh")
    assert fold_text("Chairul") == fold_text("Khairul")


def test_j_becomes_y_in_a_word_that_shows_other_old_spelling() -> None:
    assert fold_text("Widjaja") == fold_text("Wijaya")
    assert fold_text("Soejono") == fold_text("Suyono")
    assert fold_text("Joesoef") == fold_text("Yusuf")


def test_kj_marks_old_spelling_so_rakjat_equals_rakyat() -> None:
    # Real LoC title: "Penentuan pendapat rakjat (Pepera) di Irian Barat, 1969".
    assert fold_text("Penentuan pendapat rakjat") == fold_text("Penentuan pendapat rakyat")


def test_nj_becomes_ny_in_an_old_word() -> None:
    assert fold_text("Njonja") == fold_text("Nyonya")


def test_old_ndj_keeps_its_n_and_j() -> None:
    assert fold_text("Tandjung Priok") == fold_text("Tanjung Priok")
    assert fold_text("Pantjasila") == fold_text("Pancasila")


def test_modern_words_with_j_are_not_changed() -> None:
    # A blanket j->y would merge "raja"/"raya", "saja"/"saya", "menjalin"/"menyalin".
    modern = "menjadi raja saja menjalin kerja jalan Jakarta tanjung banjir jawa pekerjaan"
    assert fold_text(modern) == modern.lower()
    assert not any(is_old_spelled(w) for w in modern.lower().split())


def test_curated_old_words_without_other_marks_are_folded() -> None:
    assert fold_text("jang") == "yang"
    assert fold_text("Soerabaja") == fold_text("Surabaja") == "surabaya"


def test_old_spelling_title_of_a_real_record_folds_to_the_modern_title() -> None:
    # LoC 00365801 (1966): "Sang kantjil : tokoh tjerita binatang Indonesia".
    old = "Sang kantjil : tokoh tjerita binatang Indonesia"
    assert fold_text(old) == fold_text("Sang Kancil: Tokoh Cerita Binatang Indonesia")


def test_old_spelling_javanese_title_of_a_real_record_is_folded() -> None:
    # LoC 00369278 (1948): "Pemandangan ringkas ekonomi dan tata Negara Soematera Timoer".
    assert fold_text("Negara Soematera Timoer") == "negara sumatera timur"
    # LoC 00365225 (1971): "Sedjarah perkembangan Angkatan Darat".
    assert tokens("Sedjarah perkembangan")[0] == "sejarah"


def test_old_and_new_spelling_of_a_real_javanese_author_agree() -> None:
    # LoC 00369183: title page "Radèn Ngabèhi Jasadipoera I", heading "Yasadipura I".
    assert fold_text("Jasadipoera I") == fold_text("Yasadipura I")


def test_common_spelling_variants_fold_to_one_form() -> None:
    assert fold_text("Propinsi Daerah, 17-19 Pebruari 1999") == fold_text(
        "Provinsi daerah 17 19 Februari 1999"
    )
    assert fold_text("sistim praktek") == fold_text("sistem praktik")


def test_old_spelling_folding_can_be_turned_off() -> None:
    assert fold_text("Soekarno", old_spelling=False) == "soekarno"


def test_old_spelling_word_folding_reaches_a_fixed_point() -> None:
    # "kdja": "dj" folds to "j", which then stands after "k" (another old mark).
    once = fold_old_spelling_word("kdja")
    assert fold_old_spelling_word(once) == once


@given(st.text())
def test_fold_text_is_idempotent(text: str) -> None:
    once = fold_text(text)
    assert fold_text(once) == once


@given(st.text(alphabet="adejknotsychgrw", max_size=12))
def test_old_spelling_word_folding_is_idempotent(word: str) -> None:
    once = fold_old_spelling_word(word)
    assert fold_old_spelling_word(once) == once


@given(st.text())
def test_folded_text_is_case_folded_single_spaced_words_without_punctuation(text: str) -> None:
    folded = fold_text(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert not set(folded) & set(string.punctuation)
    # casefold, not lower: Unicode folds some scripts (Cherokee) to their upper case.
    assert folded == folded.casefold()
