"""Years of publication from free-text dates and from the 008 fixed field."""

from __future__ import annotations

import re

MIN_YEAR = 1400
MAX_YEAR = 2100

_YEAR = re.compile(r"(?<!\d)(1[4-9]\d\d|20\d\d|2100)(?!\d)")
# "1997/1998 [i.e. 1998]": the correction after "i.e." is the real year.
_IE = re.compile(r"\bi\.\s*e\.?", re.IGNORECASE)
# A Hijri year ("1418 H.", "1418 AH", "1418 Hijriah") is not a Gregorian year; Indonesian
# and Malay imprints often print both ("1418 H./1997 M.").
_HIJRI_AFTER = re.compile(r"\s*(?:A\.?\s*H\b|H\b|Hijri)", re.IGNORECASE)


def year_from_text(text: str | None) -> int | None:
    """Return the first plausible publication year (1400-2100) in ``text``, or None.

    Handles "c1998", "[1998?]", "1997/1998 [i.e. 1998]" (the correction wins) and skips
    Hijri years. Uncertain decades such as "[19--?]" or "199-" give None.
    """
    if not text:
        return None
    bare = text.strip("[]c.?© ")
    if len(bare) == 4 and bare.isdecimal():  # the usual "1998", "[1998]", "c1998."
        plain = int(bare)
        return plain if MIN_YEAR <= plain <= MAX_YEAR else None
    ie = _IE.search(text)
    if ie:
        corrected = _first_year(text, ie.end())
        if corrected is not None:
            return corrected
    return _first_year(text, 0)


def _first_year(text: str, start: int) -> int | None:
    for match in _YEAR.finditer(text, start):
        if _HIJRI_AFTER.match(text, match.end()):
            continue
        return int(match.group(1))
    return None


def year_from_008(data: str | None) -> int | None:
    """Return Date 1 of a MARC 008 (positions 07-10) when it is a whole plausible year."""
    if not data or len(data) < 11:
        return None
    if data[6] in "bn|":  # B.C. dates, unknown dates, no attempt to code
        return None
    date1 = data[7:11]
    if not date1.isdecimal():
        return None  # "19uu", "    ": not a single year
    year = int(date1)
    return year if MIN_YEAR <= year <= MAX_YEAR else None
