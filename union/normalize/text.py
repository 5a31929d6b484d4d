"""Text clean-up shared by every mapping: Unicode NFC, whitespace, ISBD punctuation.

All functions are pure and cheap; they run on every subfield of every record.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# C0/C1 control characters that are not whitespace: never meaningful in catalogue text.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# ISBD separators a cataloguer leaves at the end of a subfield ("Title :", "Place ;"),
# and MARC's fill character "|", which some exports leave in data fields.
_ISBD_MARKS = frozenset("/:;=,|")
_ISBD_ENDINGS = frozenset("/:;=,|. ")
_CLOSERS = frozenset(")]\"'”’")
# Abbreviations whose final period is part of the word, not ISBD punctuation.
_KEEP_PERIOD = frozenset(
    {
        "dkk", "etc", "inc", "ltd", "bros", "corp", "dept", "jl", "prof", "drs", "dra", "hj",
        "ed", "eds", "hlm", "illus", "tr", "trans", "comp", "no", "vol", "jil", "cet", "rev",
        "enl", "repr", "approx", "ca", "ibid",
    }
)


def clean(value: str | None) -> str:
    """Return ``value`` in NFC with control characters removed and whitespace collapsed.

    Idempotent: ``clean(clean(x)) == clean(x)``.
    """
    if not value:
        return ""
    if value.isascii():
        if value.isprintable():
            # Printable ASCII has no whitespace but " ": most subfields are already clean.
            if "  " not in value and value.strip() is value:
                return value
        else:  # tabs, newlines or control characters
            value = _CONTROLS.sub("", value)
    else:
        value = unicodedata.normalize("NFC", _CONTROLS.sub("", value))
    # str.split() splits on every Unicode whitespace (NBSP, ideographic space...) and
    # is much faster than a regular expression on the hot path.
    return " ".join(value.split())


def strip_final_period(value: str) -> str:
    """Drop a closing ISBD period but keep one that ends an initial or an abbreviation.

    "Indonesia." -> "Indonesia"; "Tarrant, James J." and "2nd ed." and "S.H." stay as
    they are; an ellipsis is kept.
    """
    if value[-1:] != "." or value[-2:-1] == ".":
        return value
    if value[-2:-1] in _CLOSERS:  # "[Cet. 1.]." or "(2nd ed.).": the period is ISBD's
        return value[:-1]
    word = value[value.rfind(" ") + 1 : -1].lstrip("([")
    if "." in word:
        return value  # "S.H.", "U.S.A.": the period belongs to the abbreviation
    if word.isalpha() and (len(word) <= 2 or word.lower() in _KEEP_PERIOD):
        return value  # an initial ("J."), "Jr.", "ed.", "p."
    return value[:-1].rstrip()


def strip_isbd(value: str) -> str:
    """Remove trailing ISBD punctuation (" /", " :", " ;", " =", ",", ".") and stray fill
    characters ("|") from a clean string."""
    while value:
        last = value[-1]
        if last in _ISBD_MARKS:
            value = value[:-1].rstrip()
        elif last == ".":
            if value[-2:-1] == " ":  # a lone " ." closing the area
                value = value[:-2].rstrip()
                continue
            stripped = strip_final_period(value)
            if stripped == value:
                break
            value = stripped
        elif last.isspace():
            value = value.rstrip()
        else:
            break
    return value


@lru_cache(maxsize=1 << 14)
def tidy(value: str | None) -> str:
    """``clean`` then ``strip_isbd``: the usual treatment of a MARC subfield.

    Memoized: places, publishers, dates, subject terms and dimensions repeat from record
    to record, and a cache hit costs a tenth of the work. The function is pure, so the
    cache changes nothing but speed.
    """
    value = clean(value)
    # Skip the call when the value cannot end in ISBD punctuation (the common case).
    return strip_isbd(value) if value and value[-1] in _ISBD_ENDINGS else value


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
    if not values:
        return ()
    unique = dict.fromkeys(values)  # ordered, and far faster than a set-and-list loop
    unique.pop("", None)
    return tuple(unique)
