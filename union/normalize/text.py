"""Text clean-up shared by every mapping: Unicode NFC, whitespace, ISBD punctuation.

All functions are pure and cheap; they run on every subfield of every record.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# C0/C1 control characters that are not whitespace: never meaningful in catalogue text.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# ISBD separators a cataloguer leaves at the end of a subfield ("Title :", "Place ;").
_TRAILING_ISBD = re.compile(r"(?:\s*[/:;=,]|\s+\.)+$")
# Abbreviations whose final period is part of the word, not ISBD punctuation.
_KEEP_PERIOD = frozenset(
    """
    dkk etc inc ltd bros corp dept jl prof drs dra hj ed eds hlm illus tr trans comp
    no vol jil cet rev enl repr approx ca ibid
    """.split()
)


def clean(value: str | None) -> str:
    """Return ``value`` in NFC with control characters removed and whitespace collapsed.

    Idempotent: ``clean(clean(x)) == clean(x)``.
    """
    if not value:
        return ""
    if not value.isascii():
        value = unicodedata.normalize("NFC", _CONTROLS.sub("", value))
    elif _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    return _WHITESPACE.sub(" ", value).strip()


def strip_final_period(value: str) -> str:
    """Drop a closing ISBD period but keep one that ends an initial or an abbreviation.

    "Indonesia." -> "Indonesia"; "Tarrant, James J." and "2nd ed." and "S.H." stay as
    they are; an ellipsis is kept.
    """
    if not value.endswith(".") or value.endswith(".."):
        return value
    body = value[:-1]
    last = body.rsplit(" ", 1)[-1]
    word = last.lstrip("([")
    if "." in word:
        return value  # "S.H.", "U.S.A.": the period belongs to the abbreviation
    if word.isalpha() and (len(word) <= 2 or word.lower() in _KEEP_PERIOD):
        return value  # an initial ("J."), "Jr.", "ed.", "p."
    return body.rstrip()


def strip_isbd(value: str) -> str:
    """Remove trailing ISBD punctuation (" /", " :", " ;", " =", ",", ".") from a clean string."""
    if not value:
        return value
    previous = None
    while previous != value:
        previous = value
        value = _TRAILING_ISBD.sub("", value)
        value = strip_final_period(value)
    return value


def tidy(value: str | None) -> str:
    """``clean`` then ``strip_isbd``: the usual treatment of a MARC subfield."""
    return strip_isbd(clean(value))


def unbracket(value: str) -> str:
    """Remove square brackets a cataloguer used for supplied information: "[Padang]" -> "Padang"."""
    if "[" not in value and "]" not in value:
        return value
    return clean(value.replace("[", "").replace("]", ""))


def truncate(value: str, limit: int) -> str:
    """Cut ``value`` to at most ``limit`` characters at a word boundary, marking the cut."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def repair_mojibake(value: str) -> str:
    """Undo UTF-8 text that was decoded as Windows-1252, possibly more than once.

    "DeveloperÃ¢â‚¬â„¢s" -> "Developer’s". Conservative: only applied when the text holds
    the telltale lead characters and re-decoding succeeds strictly; otherwise unchanged.
    """
    for _ in range(3):
        if not any(marker in value for marker in ("Ã", "â€", "Â")):
            return value
        try:
            repaired = value.encode("cp1252").decode("utf-8")
        except UnicodeError:
            return value
        if repaired == value:
            return value
        value = repaired
    return value


def dedupe(values: list[str]) -> tuple[str, ...]:
    """Drop empty strings and repeats, keeping first-seen order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return tuple(out)
