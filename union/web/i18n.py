"""Indonesian first, English second: the language of a page and its translation function.

Text is written in both languages where it is used (``t("Cari", "Search")``), so a
template reads in Indonesian and nothing hides behind message keys. A page is in
Indonesian unless the patron chose English with ``?lang=en`` (remembered in a cookie).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["COOKIE", "DEFAULT_LANGUAGE", "LANGUAGES", "Translate", "choose_language"]

#: The languages pages are written in, the default first.
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"
#: The cookie that remembers the patron's choice.
COOKIE = "lang"


@dataclass(frozen=True, slots=True)
class Translate:
    """The translation function of one language: call it with the Indonesian text and
    the English text (``str.format`` fields filled from the keyword arguments)."""

    language: str

    def __call__(self, indonesian: str, english: str, **fields: Any) -> str:
        text = english if self.language == "en" else indonesian
        return text.format(**fields) if fields else text


def choose_language(query: Mapping[str, str], cookies: Mapping[str, str]) -> str:
    """The page language: ``?lang=`` first, then the cookie, then Indonesian; an unknown
    code is ignored."""
    for asked in (query.get("lang"), cookies.get(COOKIE)):
        if asked in LANGUAGES:
            return asked
    return DEFAULT_LANGUAGE
