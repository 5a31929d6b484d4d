"""Relator terms and codes, English and Indonesian, to Agent roles."""

from __future__ import annotations

from union.normalize.roles import role_from_code, role_from_relators, role_from_term


def test_indonesian_relator_terms() -> None:
    assert role_from_term("penyunting") == "editor"
    assert role_from_term("penerjemah") == "translator"
    assert role_from_term("alih bahasa") == "translator"
    assert role_from_term("pengarang") == "author"
    assert role_from_term("ilustrator") == "illustrator"
    assert role_from_term("penyusun") == "compiler"


def test_english_terms_and_abbreviations() -> None:
    assert role_from_term("editor.") == "editor"
    assert role_from_term("ed.") == "editor"
    assert role_from_term("tr.") == "translator"
    assert role_from_term("joint author.") == "author"


def test_term_with_qualifying_words_uses_its_first_word() -> None:
    assert role_from_term("penyunting bahasa") == "editor"


def test_relator_codes() -> None:
    assert role_from_code("edt") == "editor"
    assert role_from_code("trl") == "translator"
    assert role_from_code("ive.") == "interviewee"


def test_unknown_relators_give_none() -> None:
    assert role_from_term("kirjoittaja") is None
    assert role_from_code("zzz") is None


def test_codes_are_preferred_to_terms() -> None:
    assert role_from_relators(["penyunting"], ["trl"]) == "translator"
