"""Numbers and volume numbers as bibliographic records write them.

* :func:`parse_number` reads one folded word as a number: arabic, with or without an
  ordinal suffix, roman numerals, and Indonesian, English and Dutch number words;
* volume / part numbers ("jilid 2", "jil. II", "vol. 3", "bagian kedua", "buku 1") are
  read from a text or a record, and taken out of titles to be compared on their own.

:func:`wordset`, for the literal word tables of the modules built on this one (editions,
title words, publishers), lives here too.
"""

from __future__ import annotations

import re

from union.bib_record import BibRecord
from union.text.folding import fold_characters, fold_text

__all__ = [
    "ROMAN_NUMERAL",
    "parse_number",
    "strip_volume",
    "volume_from_text",
    "volume_of",
    "wordset",
]


def wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal table."""
    return frozenset(text.split())


# --------------------------------------------------------------------------------- numbers

#: A whole folded word that is a well-formed roman numeral ("xiv", not "iiii").
ROMAN_NUMERAL = re.compile(
    r"^(?=[mdclxvi])m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$"
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_NUMBER_WORDS = {
    # Indonesian / Malay cardinals and ordinals ("kesatu", "kedua"), and "pertama".
    "satu": 1,
    "kesatu": 1,
    "pertama": 1,
    "perdana": 1,
    "dua": 2,
    "kedua": 2,
    "tiga": 3,
    "ketiga": 3,
    "empat": 4,
    "keempat": 4,
    "lima": 5,
    "kelima": 5,
    "enam": 6,
    "keenam": 6,
    "tujuh": 7,
    "ketujuh": 7,
    "delapan": 8,
    "kedelapan": 8,
    "sembilan": 9,
    "kesembilan": 9,
    "sepuluh": 10,
    "kesepuluh": 10,
    # English and Dutch.
    "one": 1,
    "first": 1,
    "two": 2,
    "second": 2,
    "three": 3,
    "third": 3,
    "four": 4,
    "fourth": 4,
    "five": 5,
    "fifth": 5,
    "six": 6,
    "sixth": 6,
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
}
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,4})(?:st|nd|rd|th|e|de|ste|er|eme)?$")


def parse_number(word: str) -> int | None:
    """Read one folded word as a number: "3", "3rd", "iii", "ketiga", "third" -> 3.

    A lone "i" counts (it is Roman one in "jilid I"); callers only ask after a volume or
    edition word, where that reading is the right one.
    """
    if not word:
        return None
    match = _ORDINAL_SUFFIX.match(word)
    if match:
        return int(match.group(1))
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if ROMAN_NUMERAL.match(word):
        total = 0
        for char, following in zip(word, [*word[1:], ""], strict=True):
            value = _ROMAN_VALUES[char]
            total += -value if following and _ROMAN_VALUES[following] > value else value
        return total
    return None


# --------------------------------------------------------------------------------- volumes

# Words that introduce a volume or part number. "no"/"nomor" are left out on purpose:
# in Indonesian titles they number laws and decrees ("Undang-undang nomor 22 tahun 1999"),
# which are part of the title. "seri" belongs to series statements, "pt" to companies.
_VOLUME_WORDS = (
    r"jilid|djilid|jil|jld|vol|vols|volume|bagian|bag|buku|bk|part|deel|tome|juz|juzuk|"
    r"jidil|tomo"
)
_NUM = r"(?:\d{1,4}[a-z]?|[ivxlc]{1,7}|[a-z]{3,11})"
_VOLUME = re.compile(
    rf"\b(?:{_VOLUME_WORDS})\b\.?\s*(?:ke\s*[-\s]?\s*)?({_NUM})\b"
    rf"(?:\s*(?:-|–|/|&|dan|and)\s*({_NUM})\b)?"
)


def _volume_number(word: str) -> str | None:
    if re.fullmatch(r"\d{1,4}[a-z]", word):
        return str(int(word[:-1])) + word[-1]
    number = parse_number(word)
    return str(number) if number is not None else None


def volume_from_text(text: str | None) -> str | None:
    """The volume or part number stated in ``text``, normalized: "Jil. II" -> "2",
    "jilid ke-3" -> "3", "bagian kedua" -> "2", "vol. 1-2" -> "1-2", "buku 1A" -> "1a".

    None when there is none; "sebagai bagian dari" and "Buku putih" have no number.
    """
    if not text:
        return None
    folded = fold_characters(text)
    for match in _VOLUME.finditer(folded):
        first = _volume_number(match.group(1))
        if first is None:
            continue
        second = _volume_number(match.group(2)) if match.group(2) else None
        return f"{first}-{second}" if second else first
    return None


def strip_volume(text: str) -> str:
    """Folded ``text`` with each volume phrase ("jilid 2", "jil. II") blanked out; a volume
    word whose number does not read ("bagian dari") stays."""
    return _VOLUME.sub(
        lambda m: " " if _volume_number(m.group(1)) is not None else m.group(0), text
    )


def volume_of(record: BibRecord) -> str | None:
    """The record's volume or part: from ``part_number`` (a bare "2" or "II" counts), else
    stated in the part name, title or subtitle."""
    if record.part_number:
        folded = fold_text(record.part_number)
        words = folded.split()
        if len(words) == 1:
            bare = _volume_number(words[0])
            if bare is not None:
                return bare
        found = volume_from_text(record.part_number)
        if found:
            return found
        if folded:
            return folded  # "A", "Suplemen": still a part, compared as text
    for text in (record.part_name, record.title, record.subtitle):
        found = volume_from_text(text)
        if found:
            return found
    return None
