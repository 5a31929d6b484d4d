"""Local content: works about the federation's own region."""

from union.config import LocalContent
from union.local_content import LocalMatcher

REGION = LocalContent(places=("Lubuklinggau", "Musi Rawas", "Sumatera Selatan"),
                      subjects=("Suku Rejang",))


def test_a_subject_naming_a_configured_place_is_local() -> None:
    assert LocalMatcher(REGION).is_local({"title": "Sejarah", "subjects": [
        "Musi Rawas (Indonesia : Regency) -- History"]})


def test_a_place_written_as_two_words_still_matches() -> None:
    assert LocalMatcher(REGION).matches(["Kota Lubuk Linggau dalam angka"])


def test_old_spelling_and_capitals_still_match() -> None:
    assert LocalMatcher(REGION).matches(["SOEMATERA SELATAN"])


def test_part_of_a_place_name_does_not_match() -> None:
    assert not LocalMatcher(REGION).matches(["Sungai Musi", "Selatan"])


def test_a_word_containing_a_place_name_does_not_match() -> None:
    assert not LocalMatcher(LocalContent(places=("Rawas",))).matches(["Rawasari"])


def test_a_configured_subject_matches_in_the_title() -> None:
    assert LocalMatcher(REGION).is_local({"title": "Adat suku Rejang", "subjects": []})


def test_no_region_configured_means_nothing_is_local() -> None:
    matcher = LocalMatcher(LocalContent())
    assert not matcher
    assert not matcher.matches(["Lubuklinggau"])
