"""Standard identifiers: ISBN, ISSN, LCCN, OCLC numbers, national bibliography numbers.

Each ``normalize_*`` returns the canonical form or None; none of them raise.
"""

from __future__ import annotations

import re
from operator import mul

from stdnum import issn as _issn

from union.normalize.text import clean

# A run of digits with the separators printed inside ISBNs (hyphens, dashes, spaces).
_ISBN_RUN = re.compile(r"\d[\d\s\-\u2010-\u2015]*[\dXx]?")
_ISBN_NOISE = re.compile(r"[^\dX]")
_ISSN = re.compile(r"(?<![\dX])(\d{4})\s*[-\u2010-\u2015]?\s*(\d{3}[\dXx])(?![\dXx])")
_LCCN = re.compile(r"^(?:[a-z]{0,3}\d{8}|[a-z]{0,2}\d{10})$")
_OCLC_PREFIXED = re.compile(r"^\(OCoLC\)\s*(?:ocm|ocn|on)?\s*0*(\d{1,12})(?!\d)")
_OCLC_BARE = re.compile(r"^(?:ocm|ocn|on)\s*0*(\d{1,12})(?!\d)")
_OCLC_DIGITS = re.compile(r"^0*(\d{1,12})$")
_PARENTHESIZED = re.compile(r"\([^)]*\)")
_ISBN10_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)
_EAN13_WEIGHTS = (1, 3) * 6


def isbn_candidate(text: str | None) -> str | None:
    """Find the ISBN-shaped number in ``text``, as digits (and a final X) without hyphens.

    Qualifiers and prices are ignored: "978-979-3062-79-1 (pbk.) : Rp 25.000" gives
    "9789793062791". Something shaped like an ISBN but of the wrong length (8-14 digits)
    is still returned, as evidence; anything else gives None.
    """
    if not text:
        return None
    # Fast path for the usual "9799585732" or "9789793062791 (pbk.)".
    token = text.split(None, 1)[0] if text[:1].isdigit() else ""
    if len(token) in (10, 13) and token.isascii() and token[:-1].isdigit():
        if token[-1].isdigit():
            return token
        if token[-1] in "Xx":
            return token[:-1] + "X"
    fallback = None
    for match in _ISBN_RUN.finditer(text.upper()):
        run = match.group(0)
        digits = _ISBN_NOISE.sub("", run)
        if len(digits) in (10, 13):
            return digits
        # "9799585732 2 v.": the number ends at the first space.
        first = _ISBN_NOISE.sub("", run.split()[0])
        if len(first) in (10, 13):
            return first
        if fallback is None and 8 <= len(digits) <= 14:
            fallback = digits
    return fallback


def isbn13(candidate: str | None) -> str | None:
    """Return the ISBN-13 (digits only) for a valid compact ISBN-10 or ISBN-13, else None.

    ISBN-10s are converted: Indonesian "979-..." ISBN-10s become "978979...". The check
    digits are computed here rather than by ``stdnum.isbn.validate`` because that cleans
    and re-parses its input twice (about 15 µs an ISBN, a tenth of the whole record's
    budget); the tests check this function against stdnum.
    """
    if not candidate:
        return None
    size = len(candidate)
    if size == 10:
        if not _ascii_digits(candidate[:9]) or _isbn10_check(candidate[:9]) != candidate[9]:
            return None
        body = "978" + candidate[:9]
        return body + _ean13_check(body)
    if size == 13:
        if not _ascii_digits(candidate) or candidate[:3] not in ("978", "979"):
            return None
        return candidate if _ean13_check(candidate[:12]) == candidate[12] else None
    return None


def _ascii_digits(text: str) -> bool:
    # str.isdigit() alone also takes "²" and "٣", which int() refuses or reads.
    return text.isascii() and text.isdigit()


def _isbn10_check(first9: str) -> str:
    total = sum(map(mul, _ISBN10_WEIGHTS, map(int, first9)))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def _ean13_check(first12: str) -> str:
    total = sum(map(mul, _EAN13_WEIGHTS, map(int, first12)))
    return str((10 - total % 10) % 10)


def normalize_isbn(text: str | None) -> str | None:
    """Return the ISBN-13 printed in ``text`` (qualifiers allowed), or None."""
    return isbn13(isbn_candidate(text))


def normalize_issn(text: str | None) -> str | None:
    """Return the valid ISSN in ``text`` as "1234-5679", or None."""
    if not text:
        return None
    match = _ISSN.search(text)
    if not match:
        return None
    compact = (match.group(1) + match.group(2)).upper()
    if not _issn.is_valid(compact):
        return None
    return f"{compact[:4]}-{compact[4:]}"


def normalize_lccn(text: str | None) -> str | None:
    """Normalize an LCCN by the Library of Congress rules, or None if it is malformed.

    Blanks are removed, anything from a "/" on is dropped, and a hyphenated serial is
    zero-padded to six digits ("n  79-21164" -> "n79021164"); the prefix is lowercased.
    See https://www.loc.gov/marc/lccn-namespace.html.
    """
    if not text:
        return None
    value = "".join(text.split()).split("/", 1)[0]
    if "-" in value:
        head, _, serial = value.partition("-")
        if not _ascii_digits(serial) or len(serial) > 6:
            return None
        value = head + serial.zfill(6)
    value = value.lower()
    return value if _LCCN.match(value) else None


def normalize_oclc(text: str | None, *, bare_digits: bool = False) -> str | None:
    """Return the OCLC number (digits, no leading zeros) from a 035 value, or None.

    Accepts "(OCoLC)ocm12345678", "(OCoLC)00012345", "ocn123456789", "on1234567890".
    Plain digits are accepted only with ``bare_digits`` (an 001 whose 003 is OCoLC):
    elsewhere they could be any system's number. "(OCoLC-I)..." numbers are not OCLC
    record numbers and are rejected.
    """
    if not text:
        return None
    value = text.strip()
    match = _OCLC_PREFIXED.match(value) or _OCLC_BARE.match(value)
    if match is None and bare_digits:
        match = _OCLC_DIGITS.match(value)
    if match is None:
        return None
    number = match.group(1)
    return number if number != "0" else None


def national_number(agency: str | None, number: str | None) -> str | None:
    """Return a national bibliography number as "agency:number" (015/016), or None.

    Parenthesized qualifiers are dropped from the number; the agency defaults to "nbn".
    """
    value = clean(_PARENTHESIZED.sub("", number or ""))
    if not value:
        return None
    return f"{clean(agency) or 'nbn'}:{value}"
