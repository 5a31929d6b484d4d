"""Edition statements, keeping the edition (*edisi*) apart from the printing (*cetakan*,
a reprint of the same edition): "Ed. 2 revisi, cet. 3" is edition 2, named "revisi",
third printing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from union.bib_record import BibRecord
from union.dedup.numbering import ROMAN_NUMERAL, parse_number, wordset
from union.text.folding import fold_text

__all__ = ["EditionStatement", "edition_of", "parse_edition"]

# After folding: "Tjit." -> "cit", "Chet." -> "khet", "Tjap-tjapan" -> "cap capan".
_PRINTING_WORDS = wordset(
    """
    cet cetakan cit cetak khet khetakan cap capan printing print printed impression impr
    reprint repr druk wedal kaping
    """
)
_EDITION_WORDS = wordset("ed edisi edition edn eds uitgave naskah")
_QUALIFIER_SYNONYMS = {
    **dict.fromkeys(
        wordset("rev revisi revised direvisi diperbaiki perbaikan corrected revision"),
        "revisi",
    ),
    **dict.fromkeys(wordset("baru baharu new"), "baru"),
    **dict.fromkeys(wordset("khusus special"), "khusus"),
    **dict.fromkeys(wordset("lengkap complete"), "lengkap"),
    **dict.fromkeys(wordset("terbatas limited"), "terbatas"),
    **dict.fromkeys(wordset("diperluas enlarged expanded tambahan ditambah"), "diperluas"),
    **dict.fromkeys(wordset("percubaan percobaan trial"), "percobaan"),
}
# Words that say nothing about which edition it is.
_EDITION_NOISE = wordset(
    """
    ke dengan dan and with th thn tahun oleh by the of pd pada di
    januari februari pebruari maret april mei juni juli agustus september oktober
    november nopember desember january february march may june july august october
    december
    """
)


@dataclass(frozen=True, slots=True)
class EditionStatement:
    """An edition statement read apart.

    ``number`` is the edition (*edisi*, "ed.") number; ``qualifiers`` name an edition
    ("revisi", "khusus", "lengkap", or other words of the statement); ``printing`` is the
    *cetakan* (impression) number: a reprint of the same edition, not a new edition.
    """

    number: int | None = None
    qualifiers: frozenset[str] = frozenset()
    printing: int | None = None

    @property
    def names_edition(self) -> bool:
        """Whether the statement says which edition (beyond "first")."""
        return bool(self.qualifiers) or (self.number is not None and self.number != 1)

    @property
    def is_stated(self) -> bool:
        """Whether anything about the edition (not the printing) is stated."""
        return self.number is not None or bool(self.qualifiers)

    def describe(self) -> str:
        """A short readable form for evidence: "ed. 2 revisi, cet. 3"."""
        parts = []
        if self.is_stated:
            words = ["ed."]
            if self.number is not None:
                words.append(str(self.number))
            words.extend(sorted(self.qualifiers))
            parts.append(" ".join(words))
        if self.printing is not None:
            parts.append(f"cet. {self.printing}")
        return ", ".join(parts) or "-"


def _number_near(words: list[str], index: int, used: set[int]) -> tuple[int | None, int]:
    """A number after ``words[index]`` (skipping "ke", "kaping", "capan"), else before it
    ("2nd ed.", "2nd rev. ed."), not taking words already read.

    Returns (number, index of the word holding the number, or ``index`` if none).
    """
    j = index + 1
    while j < len(words) and words[j] in ("ke", "kaping", "capan", "no"):
        j += 1
    if j < len(words) and j not in used:
        number = parse_number(words[j])
        if number is not None and number < 1000:
            return number, j
    j = index - 1
    while j >= 0 and words[j] in _QUALIFIER_SYNONYMS and j not in used:
        j -= 1
    if j >= 0 and j not in used:
        number = parse_number(words[j])
        # Looking back, only an arabic or ordinal number: "ii" before "ed" is too unsure.
        if number is not None and number < 1000 and not ROMAN_NUMERAL.match(words[j]):
            return number, j
    return None, index


@lru_cache(maxsize=1 << 16)
def parse_edition(text: str | None) -> EditionStatement:
    """Read an edition statement.

    "Cet. 2" -> printing 2; "cetakan ke-3" -> printing 3; "Ed. 2" / "edisi kedua" /
    "2nd ed." -> edition 2; "Edisi revisi" -> qualifier "revisi"; "Ed. 1., cet. 3." ->
    edition 1, printing 3; "Tjit. 2." (old spelling) -> printing 2. Memoized (the same
    statements recur across a catalogue).
    """
    if not text:
        return EditionStatement()
    words = fold_text(text).split()
    number: int | None = None
    printing: int | None = None
    qualifiers: set[str] = set()
    used: set[int] = set()
    for index, word in enumerate(words):
        if index in used:
            continue
        if word in _PRINTING_WORDS or word in _EDITION_WORDS:
            value, at = _number_near(words, index, used)
            used.update((index, at))
            if at > index:
                used.update(range(index, at))  # "ke", "kaping" between word and number
            if value is None:
                continue
            if word in _PRINTING_WORDS:
                printing = value if printing is None else printing
            elif number is None:
                number = value
    for index, word in enumerate(words):
        if index in used or word in _EDITION_NOISE or word in _PRINTING_WORDS:
            continue
        if word in _QUALIFIER_SYNONYMS:
            qualifiers.add(_QUALIFIER_SYNONYMS[word])
        elif word.isalpha() and len(word) >= 3 and word not in _EDITION_WORDS:
            qualifiers.add(word)
        elif number is None and parse_number(word) is not None and word.isdigit():
            value = int(word)
            if value < 1000:
                number = value  # a bare "2." in the edition field
    return EditionStatement(number, frozenset(qualifiers), printing)


def edition_of(record: BibRecord) -> EditionStatement:
    """The record's edition statement, read with :func:`parse_edition`."""
    return parse_edition(record.edition)
