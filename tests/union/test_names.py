"""Personal names: honorifics and degrees, inversion, mononyms, old spelling, compatibility.

Name forms are taken from real Library of Congress headings and statements of
responsibility of Indonesian books unless marked otherwise.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from union.dedup.names import (
    name_in_text,
    name_key,
    name_similarity,
    names_compatible,
    parse_name,
)


def test_inverted_and_direct_names_share_a_key() -> None:
    assert name_key("Toer, Pramoedya Ananta") == name_key("Pramoedya Ananta Toer")


def test_name_key_is_sorted_folded_words() -> None:
    assert name_key("Toer, Pramoedya Ananta") == "ananta pramudya tur"


def test_old_and_new_spelling_of_a_name_share_a_key() -> None:
    assert name_key("Soekarno") == name_key("Sukarno")
    assert name_key("Pramoedya Ananta Toer") == name_key("Pramudya Ananta Tur")


def test_honorifics_before_a_name_are_stripped() -> None:
    for titled in (
        "H. Ahmad Syafii",
        "Hj. Ahmad Syafii",
        "Drs. Ahmad Syafii",
        "Dra. Ahmad Syafii",
        "Dr. Ahmad Syafii",
        "Ir. Ahmad Syafii",
        "Prof. Ahmad Syafii",
        "K.H. Ahmad Syafii",
        "Tgk. Ahmad Syafii",
        "Raden Ahmad Syafii",
        "R. Ahmad Syafii",
        "Prof. Dr. H. Ahmad Syafii",
    ):
        assert name_key(titled) == name_key("Ahmad Syafii"), titled


def test_degrees_after_a_name_are_stripped() -> None:
    for degree in (
        "S.Pd.", "M.Pd.", "S.H.", "M.H.", "M.Si.", "S.E.", "M.M.", "S.Ag.", "M.Ag.",
        "S.Kom.", "Ph.D.", "S. H.", "M. Sc.", "MA",
    ):  # fmt: skip
        assert name_key(f"Rosmaida Tambun, {degree}") == name_key("Rosmaida Tambun"), degree


def test_several_degrees_in_a_row_are_stripped() -> None:
    assert parse_name("Rosmaida Tambun, S.E., M.M.").words == ("rosmaida", "tambun")


def test_degrees_written_without_a_comma_are_stripped() -> None:
    assert name_key("Abdul Hakim S.H. M.Hum.") == name_key("Abdul Hakim")
    assert name_key("Andi Zainal Abidin, S.H., M. Sc.") == name_key("Zainal Abidin")


def test_dutch_era_meester_title_is_stripped() -> None:
    assert name_key("Mr. Mohammad Yamin") == name_key("Yamin, Muhammad")


def test_title_in_a_comma_qualifier_is_dropped() -> None:
    # LoC heading "Abidin, Zainal, Andi" (Bugis title Andi) for "Andi Zainal Abidin".
    assert name_key("Abidin, Zainal, Andi") == name_key("Andi Zainal Abidin")
    assert name_key("Nataasmara, Kamit, Mas.") == name_key("Mas Kamit Nataasmara")
    assert name_key("Soetarto, Drs.") == name_key("Drs. Soetarto")


def test_a_lone_letter_right_after_the_surname_is_an_initial_not_a_title() -> None:
    # LoC "Rahman, H." is H. Rahman: the H. is kept as an initial in both forms.
    assert name_key("Rahman, H.") == name_key("H. Rahman") == "h rahman"


def test_a_lone_letter_further_out_is_a_title() -> None:
    # LoC "Musa, Muhammad, R.": R. = Raden.
    assert name_key("Musa, Muhammad, R.") == name_key("Muhammad Musa")


def test_trailing_initials_are_not_taken_for_titles() -> None:
    # LoC "Salim H.S." and "Ramadhan K. H." (Karta Hadimadja, not Kyai Haji).
    assert parse_name("Salim H.S.").words == ("salim", "h", "s")
    assert parse_name("Ramadhan K. H.").words == ("ramadan", "k", "h")


def test_initials_alone_are_not_taken_for_a_degree() -> None:
    # LoC "Oppusunggu, H. M. T." as a village library writes it: "M. T." is two initials
    # there, not Magister Teknik, so both forms keep them.
    assert name_key("Oppusunggu, H. M. T.") == name_key("H. M. T. Oppoesoenggoe")
    assert parse_name("Sutrisno, B. M.T.").words == ("b", "sutrisno")


def test_a_leading_single_letter_title_is_kept_when_it_is_the_only_initial() -> None:
    assert parse_name("R. Soekardi").words == ("r", "sukardi")


def test_life_dates_and_fuller_forms_are_ignored() -> None:
    assert name_key("Putuhena, M. Husni (Mohammad Husni), 1956-") == name_key("M. Husni Putuhena")
    assert name_key("Soekarno, 1901-1970.") == name_key("Soekarno")


def test_mononym_matches_itself_with_or_without_honorific() -> None:
    assert name_similarity("Soekarno", "Ir. Soekarno") == 1.0
    assert name_similarity("Soekarno, 1901-1970", "Sukarno") == 1.0


def test_mononym_is_not_compatible_with_a_longer_name() -> None:
    # "Suradi" may or may not be "Suradi Yasil": undecided, never a match.
    assert name_similarity("Suradi", "Suradi Yasil") == 0.5
    assert not names_compatible("Suradi", "Suradi Yasil")


def test_old_spelled_sundanese_name_matches_its_modern_heading() -> None:
    # LoC 00369187: statement "Radhen Khaji Moekhammad Moesa", heading "Musa, Muhammad, R.".
    assert name_key("Radhen Khaji Moekhammad Moesa") == name_key("Musa, Muhammad, R.")


def test_spellings_of_muhammad_share_a_key() -> None:
    keys = {name_key(f"{given} Yamin") for given in ("Moh.", "Mohd.", "Mochammad", "Muhamad")}
    assert keys == {name_key("Muhammad Yamin")}


def test_initials_are_compatible_with_full_given_names() -> None:
    assert name_similarity("Toer, Pramoedya Ananta", "Pramoedya A. Toer") == 0.9
    assert names_compatible("Jassin, Hans Bague", "H.B. Jassin")


def test_typo_in_a_long_surname_is_compatible() -> None:
    # Real pair: LoC 00366493 "Marhiyanto, Bambang" / 00367113 "Bambang Murhiyanto".
    assert name_similarity("Marhiyanto, Bambang", "Bambang Murhiyanto") == 0.8


def test_typo_in_a_short_word_is_not_tolerated() -> None:
    assert not names_compatible("Budi Susilo", "Budi Susila")


def test_javanese_names_one_letter_apart_are_different_people() -> None:
    assert not names_compatible("Budi Suharto", "Budi Sutarto")
    assert not names_compatible("Soeharto", "Soetarto")


def test_different_people_sharing_a_surname_are_not_compatible() -> None:
    # Real headings: Pramoedya's brother is "Toer, Koesalah Soebagyo".
    assert name_similarity("Toer, Koesalah Soebagyo", "Toer, Pramoedya Ananta") == 0.0


def test_one_shared_given_name_is_not_enough() -> None:
    assert not names_compatible("Ahmad Syafii", "Ahmad Tohari")


def test_an_inverted_surname_must_be_written_out_in_the_other_name() -> None:
    assert not names_compatible("Hasan, A.", "Ahmad Yusuf")


def test_empty_names_are_never_compatible() -> None:
    assert name_similarity("", "Soekarno") == 0.0
    assert name_similarity(None, None) == 0.0


def test_name_is_found_in_a_statement_of_responsibility() -> None:
    assert name_in_text("Marhiyanto, Bambang", "Bambang Murhiyanto")
    assert name_in_text("Toer, Pramoedya Ananta", "[Pramoedya Ananta Toer]")
    assert not name_in_text("Toer, Pramoedya Ananta", "penyunting, Koesalah Soebagyo Toer")


_WORDS = st.sampled_from(
    ["pramoedya", "ananta", "toer", "siti", "aminah", "budi", "santoso", "soekarno", "hj",
     "widjaja", "muhammad", "yamin", "gouw", "peng", "liang", "abdul", "hadi"]
)  # fmt: skip


@given(st.lists(_WORDS, min_size=2, max_size=4))
def test_name_key_is_invariant_under_inversion(words: list[str]) -> None:
    direct = " ".join(words)
    inverted = f"{words[-1]}, {' '.join(words[:-1])}"
    assert name_key(direct) == name_key(inverted)


@given(st.lists(_WORDS, min_size=1, max_size=4), st.lists(_WORDS, min_size=1, max_size=4))
def test_name_similarity_is_symmetric(a: list[str], b: list[str]) -> None:
    assert name_similarity(" ".join(a), " ".join(b)) == name_similarity(" ".join(b), " ".join(a))


@given(st.lists(_WORDS, min_size=1, max_size=4))
def test_a_name_is_fully_compatible_with_itself(words: list[str]) -> None:
    name = " ".join(words)
    assert name_similarity(name, name) == 1.0
