"""Choosing the page language and translating (pure)."""

from __future__ import annotations

from union.web.i18n import Translate, choose_language


def test_indonesian_is_the_default() -> None:
    assert choose_language({}, {}) == "id"


def test_the_query_string_wins_over_the_cookie() -> None:
    assert choose_language({"lang": "en"}, {"lang": "id"}) == "en"
    assert choose_language({"lang": "id"}, {"lang": "en"}) == "id"


def test_the_cookie_is_used_when_the_query_string_says_nothing() -> None:
    assert choose_language({}, {"lang": "en"}) == "en"


def test_an_unknown_language_is_ignored() -> None:
    assert choose_language({"lang": "fr"}, {"lang": "<script>"}) == "id"
    assert choose_language({"lang": "fr"}, {"lang": "en"}) == "en"


def test_translate_picks_the_text_of_its_language_and_fills_fields() -> None:
    assert Translate("id")("{n} karya", "{n} works", n=3) == "3 karya"
    assert Translate("en")("{n} karya", "{n} works", n=3) == "3 works"


def test_translate_leaves_braces_alone_without_fields() -> None:
    assert Translate("id")("kurung {kurawal}", "{braces}") == "kurung {kurawal}"
