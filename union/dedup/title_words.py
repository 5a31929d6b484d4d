"""Titles as folded significant words, and the title key made of them.

Case, accents, punctuation and old spelling are folded; leading articles, Indonesian stop
words and bracketed designations ("[microform]") are dropped; common abbreviations are
expanded. Volume and edition phrases are taken out of the title: they are compared on
their own (:mod:`union.dedup.numbering`, :mod:`union.dedup.editions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from union.bib_record import BibRecord
from union.dedup.numbering import strip_volume, wordset
from union.text.folding import fold_characters, fold_word, tokens

__all__ = ["STOP_WORDS", "TitleWords", "title_key", "title_words", "title_words_of"]

_LEADING_ARTICLES = wordset("the a an de het een t sebuah suatu")
#: Indonesian (and a few Malay, English and Dutch) function words left out of title keys.
STOP_WORDS: frozenset[str] = wordset(
    """
    dan di ke dari yang untuk dalam pada sebuah suatu atau dengan bagi oleh tentang
    terhadap serta akan itu ini para kepada daripada antara sebagai secara tsb dll dsb dkk
    yg utk untk dgn dg pd ttg thd sbg
    and of the en van het
    """
)
# Abbreviations in Indonesian titles, expanded so "Kab." and "Kabupaten" match.
_ABBREVIATIONS = {
    "kab": "kabupaten",
    "kec": "kecamatan",
    "kel": "kelurahan",
    "prov": "provinsi",
    "prop": "provinsi",
    "dep": "departemen",
    "dept": "departemen",
    "depdikbud": "departemen pendidikan kebudayaan",
    "univ": "universitas",
    "th": "tahun",
    "thn": "tahun",
    "tgl": "tanggal",
    "jl": "jalan",
    "kodya": "kotamadya",
    "pemda": "pemerintah daerah",
    "ri": "republik indonesia",
    "no": "nomor",
    "nmr": "nomor",
    "sumut": "sumatera utara",
    "sumbar": "sumatera barat",
    "jabar": "jawa barat",
    "jateng": "jawa tengah",
    "jatim": "jawa timur",
    "kalbar": "kalimantan barat",
    "kaltim": "kalimantan timur",
    "sulsel": "sulawesi selatan",
    "ntb": "nusa tenggara barat",
    "ntt": "nusa tenggara timur",
    "diy": "daerah istimewa yogyakarta",
}
# General material designations and cataloguer's interpolations in square brackets.
_GMD = re.compile(
    r"\[\s*(?:microform|mikrofilm|microfilm|microfiche|mikrofis|electronic resource|"
    r"sumber elektronik|rekaman video|videorecording|sound recording|rekaman suara|"
    r"kartografi|cartographic material|text|teks|manuscript|naskah|graphic|"
    r"sic|i\.\s*e\.?[^\]]*|\?)\s*\]",
    re.IGNORECASE,
)
# Edition phrases inside a title ("... edisi revisi", "cetakan ke-2"), compared apart.
_TITLE_EDITION = re.compile(
    r"\b(?:edisi|ed|cetakan|cet)\b\.?\s*(?:ke\s*[-\s]?\s*)?"
    r"(?:\d{1,3}|[ivx]{1,5}|revisi|baru|lengkap|khusus|pertama|kedua|ketiga|keempat|kelima)\b"
)


@dataclass(frozen=True, slots=True)
class TitleWords:
    """A title reduced to its significant folded words.

    ``abbreviations`` holds the words that were written with a closing period ("Kab.",
    "Dep.") and may therefore stand for a longer word of the other title. ``written``
    pairs each word that folding changed with its form as written ("provinsi",
    "propinsi"): a slip of the pen is one letter from the word as written, not always from
    its folded form ("Propini" is one letter from "Propinsi", two from "provinsi").
    """

    words: tuple[str, ...] = ()
    abbreviations: frozenset[str] = frozenset()
    written: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """The words joined by single spaces."""
        return " ".join(self.words)


def _clean_title_text(text: str) -> str:
    text = _GMD.sub(" ", text)
    text = text.replace("[", " ").replace("]", " ")
    text = fold_characters(text)
    if "ed" in text or "cet" in text:  # what every edition phrase begins with
        text = _TITLE_EDITION.sub(" ", text)
    return strip_volume(text)


@lru_cache(maxsize=1 << 16)
def title_words(*parts: str | None) -> TitleWords:
    """Significant words of a title made of ``parts`` (title, subtitle, part name...).

    Case, accents, punctuation and old spelling are folded; bracketed designations
    ("[microform]") and volume and edition phrases are removed; a leading article
    (English, Dutch, Indonesian "sebuah"/"suatu") and stop words are dropped; common
    abbreviations are expanded. If nothing significant is left, the folded words are kept.
    Memoized (the result is immutable).
    """
    words: list[str] = []
    abbreviations: set[str] = set()
    written: dict[str, str] = {}
    for part in parts:
        if not part:
            continue
        text = _clean_title_text(part)
        abbreviations.update(_abbreviated(text))
        # The whole text at once: punctuation breaks words only where it stands, so this
        # equals folding it space-separated piece by piece, at a fraction of the cost.
        for as_written in tokens(text, old_spelling=False):
            word = fold_word(as_written)
            expansion = _ABBREVIATIONS.get(word)
            if expansion is not None:
                words.extend(expansion.split())
                if " " not in expansion:
                    written[expansion] = as_written
                continue
            if word != as_written:
                written[word] = as_written
            words.append(word)
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    significant = [w for w in words if w not in STOP_WORDS]
    if not significant:
        significant = words
    kept = set(significant)
    return TitleWords(
        tuple(significant),
        frozenset(abbreviations & kept),
        tuple((word, form) for word, form in written.items() if word in kept),
    )


def _abbreviated(text: str) -> Iterator[str]:
    """The folded words of ``text`` written with a closing period ("Kab.", "Dep."), of two
    to five letters; a period on the last word closes the title ("... Bali.")."""
    pieces = text.split()
    for piece in pieces[:-1]:
        if piece.rstrip(")],;:").endswith("."):
            plain = tokens(piece, old_spelling=False)
            if len(plain) == 1 and 2 <= len(word := fold_word(plain[0])) <= 5:
                yield word


def title_words_of(record: BibRecord) -> tuple[TitleWords, TitleWords]:
    """(main title words, subtitle and part-name words) of ``record``."""
    return title_words(record.title), title_words(record.subtitle, record.part_name)


def title_key(title: str | None, subtitle: str | None = None) -> str:
    """Normalized title key: the significant folded words, space-separated.

    "The Sedjarah Indonesia, djilid 2" and "Sejarah Indonesia. Jil. II" both give
    "sejarah indonesia" (the volume is compared apart, see
    :func:`~union.dedup.numbering.volume_of`).
    """
    return title_words(title, subtitle).key
