"""Match keys: what pairwise matching compares, and the short keys that pick candidates.

Everything here is a pure function of a :class:`~union.bib_record.BibRecord` or of one of
its strings:

* identifiers as sets (ISBN-13, ISSN, LCCN, OCLC, national bibliography numbers);
* titles as folded significant words (case, accents, punctuation, old spelling, leading
  articles, Indonesian stop words, common abbreviations), with volume and edition phrases
  taken out and compared on their own;
* volume / part numbers ("jilid 2", "jil. II", "vol. 3", "bagian kedua", "buku 1");
* edition statements, keeping the edition (*edisi*) apart from the printing (*cetakan*,
  a reprint of the same edition);
* publisher keys (legal forms and the word "Penerbit" removed), extents (pages, volumes),
  series numbering and personal-name keys;
* :func:`blocking_keys`, the cheap keys under which candidate pairs are generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from union.bib_record import BibRecord
from union.dedup.names import ParsedName, parse_name
from union.normalize.identifiers import isbn13
from union.text.folding import fold_characters, fold_text

__all__ = [
    "STOP_WORDS",
    "EditionStatement",
    "Extent",
    "Identifiers",
    "TitleWords",
    "author_keys",
    "blocking_keys",
    "edition_of",
    "extent_of",
    "identifiers_of",
    "parse_edition",
    "parse_extent",
    "parse_number",
    "personal_names",
    "publisher_key",
    "series_numbers",
    "title_key",
    "title_words",
    "title_words_of",
    "volume_from_text",
    "volume_of",
]


def _wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal table."""
    return frozenset(text.split())


# --------------------------------------------------------------------------- identifiers


@dataclass(frozen=True, slots=True)
class Identifiers:
    """A record's standard numbers as sets, ready for intersection."""

    isbns: frozenset[str] = frozenset()
    issns: frozenset[str] = frozenset()
    lccns: frozenset[str] = frozenset()
    oclc_numbers: frozenset[str] = frozenset()
    national_numbers: frozenset[str] = frozenset()


def identifiers_of(record: BibRecord) -> Identifiers:
    """The identifier sets of ``record``.

    ISBNs are re-normalized defensively (an ISBN-10 that slipped through becomes its
    ISBN-13 through ``union.normalize.identifiers.isbn13``; an invalid one is dropped).
    """
    isbns = set()
    for value in record.isbns:
        normalized = isbn13(value)
        if normalized:
            isbns.add(normalized)
    return Identifiers(
        isbns=frozenset(isbns),
        issns=frozenset(v.upper() for v in record.issns if v),
        lccns=frozenset(v.replace(" ", "").lower() for v in record.lccns if v),
        oclc_numbers=frozenset(v.lstrip("0") for v in record.oclc_numbers if v),
        national_numbers=frozenset(v.replace(" ", "").lower() for v in record.national_numbers),
    )


# --------------------------------------------------------------------------------- numbers

_ROMAN = re.compile(r"^(?=[mdclxvi])m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
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
    if _ROMAN.match(word):
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


def _strip_volume(text: str) -> str:
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


# -------------------------------------------------------------------------------- editions

# After folding: "Tjit." -> "cit", "Chet." -> "khet", "Tjap-tjapan" -> "cap capan".
_PRINTING_WORDS = _wordset(
    """
    cet cetakan cit cetak khet khetakan cap capan printing print printed impression impr
    reprint repr druk wedal kaping
    """
)
_EDITION_WORDS = _wordset("ed edisi edition edn eds uitgave naskah")
_QUALIFIER_SYNONYMS = {
    **dict.fromkeys(
        _wordset("rev revisi revised direvisi diperbaiki perbaikan corrected revision"),
        "revisi",
    ),
    **dict.fromkeys(_wordset("baru baharu new"), "baru"),
    **dict.fromkeys(_wordset("khusus special"), "khusus"),
    **dict.fromkeys(_wordset("lengkap complete"), "lengkap"),
    **dict.fromkeys(_wordset("terbatas limited"), "terbatas"),
    **dict.fromkeys(_wordset("diperluas enlarged expanded tambahan ditambah"), "diperluas"),
    **dict.fromkeys(_wordset("percubaan percobaan trial"), "percobaan"),
}
# Words that say nothing about which edition it is.
_EDITION_NOISE = _wordset(
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
        if number is not None and number < 1000 and not _ROMAN.match(words[j]):
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


# ---------------------------------------------------------------------------------- titles

_LEADING_ARTICLES = _wordset("the a an de het een t sebuah suatu")
#: Indonesian (and a few Malay, English and Dutch) function words left out of title keys.
STOP_WORDS: frozenset[str] = _wordset(
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
    "Dep.") and may therefore stand for a longer word of the other title.
    """

    words: tuple[str, ...] = ()
    abbreviations: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        """The words joined by single spaces."""
        return " ".join(self.words)


def _clean_title_text(text: str) -> str:
    text = _GMD.sub(" ", text)
    text = text.replace("[", " ").replace("]", " ")
    text = _TITLE_EDITION.sub(" ", fold_characters(text))
    return _strip_volume(text)


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
    for part in parts:
        if not part:
            continue
        chunks = _clean_title_text(part).split()
        for index, chunk in enumerate(chunks):
            folded = fold_text(chunk).split()
            # A period on the last word closes the title ("... Bali."), not an abbreviation.
            abbreviated = (
                index < len(chunks) - 1 and chunk.rstrip(")],;:").endswith(".") and len(folded) == 1
            )
            for word in folded:
                expansion = _ABBREVIATIONS.get(word)
                if expansion is not None:
                    words.extend(expansion.split())
                    continue
                if abbreviated and 2 <= len(word) <= 5:
                    abbreviations.add(word)
                words.append(word)
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    significant = [w for w in words if w not in STOP_WORDS]
    if not significant:
        significant = words
    return TitleWords(tuple(significant), frozenset(abbreviations & set(significant)))


def title_words_of(record: BibRecord) -> tuple[TitleWords, TitleWords]:
    """(main title words, subtitle and part-name words) of ``record``."""
    return title_words(record.title), title_words(record.subtitle, record.part_name)


def title_key(title: str | None, subtitle: str | None = None) -> str:
    """Normalized title key: the significant folded words, space-separated.

    "The Sedjarah Indonesia, djilid 2" and "Sejarah Indonesia. Jil. II" both give
    "sejarah indonesia" (the volume is compared apart, see :func:`volume_of`).
    """
    return title_words(title, subtitle).key


# ------------------------------------------------------------------------------ publishers

# Legal forms of Indonesian, Malaysian and other firms, and the word "Penerbit".
_PUBLISHER_NOISE = _wordset(
    """
    pt cv tbk ud fa firma persero perum nv ltd inc co corp sdn bhd pte plc gmbh bv llc
    penerbit
    """
)


@lru_cache(maxsize=1 << 16)
def publisher_key(publisher: str | None) -> str:
    """Folded publisher name without legal forms and the word "Penerbit".

    "Penerbit PT Gramedia Pustaka Utama" -> "gramedia pustaka utama"; "CV. Pustaka Jaya"
    -> "pustaka jaya" ("Pustaka" is part of names and stays). Memoized.
    """
    words = [w for w in fold_text(publisher).split() if w not in _PUBLISHER_NOISE]
    return " ".join(words)


# --------------------------------------------------------------------------------- extents


@dataclass(frozen=True, slots=True)
class Extent:
    """Physical extent: the main page (or leaf) count, and the number of volumes.

    ``volumes`` is None for a single volume with a page count; ``multipart`` marks a set
    ("3 v.", "v. <1-3>", "2 jil.").
    """

    pages: int | None = None
    volumes: int | None = None
    multipart: bool = False


_PAGES = re.compile(
    r"(\d{1,5})\s*\]?\s*(?:p|pp|pages|hlm|hal|halaman|h|leaves|leaf|lembar|lbr|l|blz|s)\b"
)
_VOLUMES = re.compile(r"\b(\d{1,3})\s*(?:v|vol|vols|jil|jilid|jld|buku)\b\.?")
# An open set without a count: "v. <1-10>", "jil. ; 21 cm". A bare roman "v," is pages.
_OPEN_SET = re.compile(r"^\s*(?:v|vol|vols|jil|jilid|jld)\.")
_BARE_NUMBER = re.compile(r"^\s*\[?(\d{1,5})\]?\s*$")


@lru_cache(maxsize=1 << 16)
def parse_extent(text: str | None) -> Extent:
    """Read a physical description extent: "xviii, 351 p." -> 351 pages; "3 v." -> a set
    of 3; "1 v. (various foliations)" -> one volume; "v. <1-10>" -> a set, count unknown.
    Memoized.
    """
    if not text:
        return Extent()
    folded = fold_characters(text)
    head = folded.split(":")[0].split(";")[0]
    # "2 v. in 1 (344 p.)" is one physical volume: the pages decide.
    volumes: int | None = None
    multipart = False
    volume_match = _VOLUMES.search(head.split("(")[0])
    if not re.search(r"\bin\s+1\b", head):
        if volume_match:
            volumes = int(volume_match.group(1))
            multipart = volumes > 1
        elif _OPEN_SET.match(head):
            multipart = True
    pages = [int(m.group(1)) for m in _PAGES.finditer(head)]
    if not pages:
        bare = _BARE_NUMBER.match(head)
        if bare:
            pages = [int(bare.group(1))]
    return Extent(max(pages) if pages else None, volumes, multipart)


def extent_of(record: BibRecord) -> Extent:
    """The record's extent, read with :func:`parse_extent`."""
    return parse_extent(record.extent)


# ---------------------------------------------------------------------------------- series

_SERIES_NUMBER = re.compile(r"(\d{1,5}(?:\s*/\s*\d{2,4})?|[ivxlc]{1,7})\s*$")


def series_numbers(record: BibRecord) -> dict[str, str]:
    """Numbered series statements as {folded series title: number}.

    "Seri penerbitan PPW-LIPI ; no. 05/2000" -> {"seri penerbitan ppw lipi": "5/2000"}.
    Unnumbered series are left out: they say nothing about which book this is.
    """
    found: dict[str, str] = {}
    for statement in record.series:
        if ";" not in statement:
            continue
        head, _, numbering = statement.rpartition(";")
        match = _SERIES_NUMBER.search(fold_characters(numbering).strip(" .,)"))
        title = fold_text(head)
        if not match or not title:
            continue
        raw = match.group(1).replace(" ", "")
        if "/" in raw:
            first, _, second = raw.partition("/")
            number = f"{int(first)}/{second}"
        else:
            parsed = parse_number(raw)
            number = str(parsed) if parsed is not None else raw
        found[title] = number
    return found


# ----------------------------------------------------------------------------------- names


def personal_names(record: BibRecord, *, main_only: bool = False) -> tuple[ParsedName, ...]:
    """Parsed names of the record's persons (main entry first), empty names left out."""
    agents = sorted(record.agents, key=lambda a: not a.main)
    names = []
    for agent in agents:
        if agent.kind != "person" or (main_only and not agent.main):
            continue
        parsed = parse_name(agent.name)
        if parsed.words:
            names.append(parsed)
    return tuple(names)


def author_keys(record: BibRecord) -> frozenset[str]:
    """Order-insensitive name keys of the record's persons (see ``names.name_key``)."""
    return frozenset(name.key for name in personal_names(record))


# -------------------------------------------------------------------------------- blocking


def _short(word: str, length: int) -> str:
    return word[:length]


def blocking_keys(record: BibRecord) -> frozenset[str]:
    """Keys under which ``record`` is a candidate for comparison with others.

    * ``isbn:…``, ``lccn:…``, ``oclc:…``, ``nbn:…``: each identifier;
    * ``t:…``: the first three significant title words cut to four letters, so suffix
      variants and a typo late in a word still meet ("pengembangan"/"pengembangannya");
    * ``ta:…``: the first significant title word with each whole word of the main
      person's name (names are order-insensitive, so inverted and direct forms meet), so
      a typo in the second or third title word still meets.

    Records that share no key are never compared; keys are generous, pairwise matching
    is strict.
    """
    ids = identifiers_of(record)
    keys = {f"isbn:{v}" for v in ids.isbns}
    keys.update(f"lccn:{v}" for v in ids.lccns)
    keys.update(f"oclc:{v}" for v in ids.oclc_numbers)
    keys.update(f"nbn:{v}" for v in ids.national_numbers)
    words = title_words(record.title).words
    if words:
        keys.add("t:" + " ".join(_short(w, 4) for w in words[:3]))
        names = personal_names(record)
        if names:
            first = _short(words[0], 5)
            keys.update(f"ta:{first}:{word}" for word in names[0].full_words)
    return frozenset(keys)
