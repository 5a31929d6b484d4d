"""Text folding for matching and search: case, accents, punctuation, whitespace, and the
Indonesian spelling reforms.

Every function here is pure, total (never raises) and idempotent, so the same code can build
match keys for de-duplication and analyze text for the search engine: whatever is folded at
index time is folded the same way at query time.

Old spelling
============

Indonesian was written in the Van Ophuijsen spelling (1901) and then the Soewandi spelling
(1947) until the *Ejaan yang Disempurnakan* (EYD) of 1972. Catalogues transcribe titles as
printed, so "Sedjarah", "Soekarno", "Tjerita", "rakjat" and "Jogjakarta" sit next to
"Sejarah", "Sukarno", "Cerita", "rakyat" and "Yogyakarta". The folding maps the old forms to
the modern ones, word by word:

* Always (these letter pairs do not occur in modern Indonesian spelling, only in old
  spelling, in personal names that keep it, and in foreign words, where folding them is
  harmless because both sides of a comparison are folded alike):
  ``oe``→``u``, ``dj``→``j``, ``tj``→``c``, ``sj``→``sy``, ``ch``→``kh``.
* Only in a word that itself shows old spelling: ``nj``→``ny`` and ``j``→``y``.
  In the old spelling ``j`` was the sound /y/ and /j/ was written ``dj``, so once a word is
  known to be old-spelled, every ``j`` that is not part of ``dj`` is a /y/: "Djaja" →
  "Jaya", "Widjaja" → "Wijaya", "Soejono" → "Suyono", "Jasadipoera" → "Yasadipura".
  A word counts as old-spelled when it contains ``dj``, ``tj``, ``oe``, ``sj``, ``kj`` or
  ``gj``, or starts with ``nj``. None of these occur in modern Indonesian except ``kj`` in
  a few Arabic loans ("takjub"), which fold to forms that collide with no other word.
  The rule exists because a blanket ``j``→``y`` would merge distinct modern words:
  "raja" (king) / "raya" (great), "saja" (only) / "saya" (I), "menjalin" (to weave) /
  "menyalin" (to copy), "menjadi" → "menyadi".
* A short curated list covers frequent old-spelled words that carry no other mark:
  "jang" → "yang", "jaitu" → "yaitu", "Surabaja", and the spellings of Yogyakarta
  ("Jogjakarta", "Djokjakarta", "Jogja", ...).

Known limits: an old word without any mark ("saja" meaning *saya*, "bernjanji") stays as
it is; Malay's pre-1972 ``ch`` (= modern ``c``, "chetak") is folded to ``kh`` like the
Indonesian/Dutch ``ch`` (= ``kh``, "Achmad"), so it matches neither side's modern form but
still matches itself.

A small table of common modern spelling variants ("propinsi"/"provinsi",
"Pebruari"/"Februari", "sistim"/"sistem", ...) is folded as well; see ``SPELLING_VARIANTS``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "CURATED_OLD_SPELLINGS",
    "SPELLING_VARIANTS",
    "expand_reduplication",
    "fold_characters",
    "fold_old_spelling",
    "fold_old_spelling_word",
    "fold_text",
    "fold_word",
    "is_old_spelled",
    "normalize_whitespace",
    "strip_punctuation",
    "tokens",
]

# Letters that NFKD does not decompose into a base letter plus a combining mark.
_TRANSLIT = str.maketrans(
    {
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ł": "l",
        "ı": "i",
        "ħ": "h",
        "þ": "th",
        "ŋ": "ng",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "ĸ": "k",
        "ſ": "s",
    }
)
# Apostrophes and modifier letters that stand inside words ("Qur'an", "Jum'at", "Lorosa'e",
# the ayn "ʻ" of romanized Arabic): removed so the word stays whole.
_INWORD_MARK_CHARS = "'’‘ʼʻʹ`´"
_INWORD_MARKS = re.compile(rf"(?<=\w)[{_INWORD_MARK_CHARS}](?=\w)")
# Initialisms written with periods ("N.U.", "S.H.", "U.S.A."): the letters are joined so
# "N.U." and "NU" fold alike. At least two letter-period pairs, not inside a longer word.
_INITIALISM = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\.){2,})(?![^\W\d_])")
_NOT_WORD = re.compile(r"[\W_]+")
# Old-style reduplication: "anak2" = "anak-anak", "kata2" = "kata-kata".
_REDUPLICATION = re.compile(r"\b([a-z]{3,})2\b")

# Marks of old spelling inside a word (see the module docstring for why these).
_OLD_MARKS = re.compile(r"dj|tj|oe|sj|kj|gj|^nj")
_DJ_PLACEHOLDER = "\x00"

#: Old-spelled words that carry no other mark of old spelling, mapped to the modern form.
#: Keep this list short and limited to forms that are not modern words themselves.
CURATED_OLD_SPELLINGS: dict[str, str] = {
    "jang": "yang",
    "jaitu": "yaitu",
    "jakni": "yakni",
    "surabaja": "surabaya",
    # Yogyakarta: Dutch-era, Soewandi and colloquial spellings.
    "jogjakarta": "yogyakarta",
    "jokjakarta": "yogyakarta",
    "djokjakarta": "yogyakarta",
    "djogjakarta": "yogyakarta",
    "yogjakarta": "yogyakarta",
    "jogyakarta": "yogyakarta",
    "jogja": "yogya",
    "jokja": "yogya",
    "djokja": "yogya",
    "djogja": "yogya",
    "yogja": "yogya",
}

#: Modern spelling variants and common misspellings folded to one form (the EYD standard).
#: Both forms are in current use, so a title may be catalogued either way.
SPELLING_VARIANTS: dict[str, str] = {
    "propinsi": "provinsi",
    "pebruari": "februari",
    "nopember": "november",
    "sistim": "sistem",
    "praktek": "praktik",
    "resiko": "risiko",
    "apotik": "apotek",
    "jaman": "zaman",
    "ijin": "izin",
    "nasehat": "nasihat",
    "hakekat": "hakikat",
    "kwalitas": "kualitas",
    "kwantitas": "kuantitas",
    "aktifitas": "aktivitas",
    "kreatifitas": "kreativitas",
    "produktifitas": "produktivitas",
    "efektifitas": "efektivitas",
    "obyek": "objek",
    "subyek": "subjek",
    "obyektif": "objektif",
    "subyektif": "subjektif",
    "tehnik": "teknik",
    "tehnologi": "teknologi",
    "ekstrim": "ekstrem",
    "analisa": "analisis",
    "sekedar": "sekadar",
    "mesjid": "masjid",
    "ramadhan": "ramadan",
}


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace to one space and trim the ends."""
    return " ".join(text.split())  # str.split's whitespace is the regex \s


def fold_characters(text: str) -> str:
    """Lowercase and remove accents: "Radèn Ngabèhi" -> "raden ngabehi", "Ø" -> "o".

    Compatibility forms are decomposed first ("ﬁ" -> "fi", "²" -> "2"); letters of other
    scripts (Arabic, Javanese, Chinese) are kept, only their combining marks are removed.
    """
    if text.isascii():
        return text.lower()  # nothing to decompose or transliterate: the common case
    # NFKD before and after casefold: casefold can itself produce decomposable text.
    text = _strip_marks(unicodedata.normalize("NFKD", text)).casefold()
    text = _strip_marks(unicodedata.normalize("NFKD", text))
    return text.translate(_TRANSLIT)


def _strip_marks(text: str) -> str:
    if text.isascii():
        return text
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def strip_punctuation(text: str) -> str:
    """Turn punctuation into word breaks, keeping words and initialisms whole.

    "Muhammadiyah-N.U." -> "Muhammadiyah NU"; "Qur'an" -> "Quran"; "nilai-nilai" ->
    "nilai nilai". Whitespace is normalized.
    """
    # Each pattern is tried only where its one necessary character occurs: most text has
    # neither apostrophes nor periods, and folding runs on every title, name and query.
    if any(mark in text for mark in _INWORD_MARK_CHARS):
        text = _INWORD_MARKS.sub("", text)
    if "." in text:
        text = _INITIALISM.sub(lambda m: m.group(1).replace(".", ""), text)
    return normalize_whitespace(_NOT_WORD.sub(" ", text))


def expand_reduplication(text: str) -> str:
    """Spell out old-style reduplication in folded text: "anak2" -> "anak anak".

    Applied to lowercase words of three letters or more ending in "2", so "h2o" is kept.
    """
    return _REDUPLICATION.sub(r"\1 \1", text) if "2" in text else text


def is_old_spelled(word: str) -> bool:
    """Whether a lowercase word shows a mark of pre-1972 spelling (dj, tj, oe, sj, kj, gj,
    or a leading nj)."""
    return _OLD_MARKS.search(word) is not None


def fold_old_spelling_word(word: str) -> str:
    """Fold one lowercase word from old spelling to modern spelling.

    "soekarno" -> "sukarno", "djakarta" -> "jakarta", "tjokroaminoto" -> "cokroaminoto",
    "jogjakarta" -> "yogyakarta", "widjaja" -> "wijaya"; modern words are unchanged
    ("menjadi", "raja", "saja"). Repeated until stable, so the result is a fixed point.
    """
    for _ in range(8):
        folded = _fold_old_once(word)
        if folded == word:
            break
        word = folded
    return word


def _fold_old_once(word: str) -> str:
    curated = CURATED_OLD_SPELLINGS.get(word)
    if curated is not None:
        return curated
    if not word.isascii():
        return word
    old = is_old_spelled(word)
    # Order matters: "dj" is set aside before the j->y rule so "tandjung" -> "tanjung",
    # and "nj" is read before "dj" is folded so the n+j it produces stays n+j.
    word = word.replace("dj", _DJ_PLACEHOLDER)
    word = word.replace("tj", "c")
    word = word.replace("sj", "sy")
    if old:
        word = word.replace("nj", "ny").replace("j", "y")
    word = word.replace(_DJ_PLACEHOLDER, "j")
    word = word.replace("oe", "u")
    word = word.replace("ch", "kh")
    return CURATED_OLD_SPELLINGS.get(word, word)


def fold_old_spelling(text: str) -> str:
    """Apply :func:`fold_old_spelling_word` to every word of lowercase, space-separated text."""
    return " ".join(fold_old_spelling_word(w) for w in text.split())


@lru_cache(maxsize=65536)
def fold_word(word: str) -> str:
    """Fold one lowercase word: old spelling, then the modern variant table (memoized:
    catalogue vocabularies are small and words repeat)."""
    word = fold_old_spelling_word(word)
    return SPELLING_VARIANTS.get(word, word)


def fold_text(text: str | None, *, old_spelling: bool = True) -> str:
    """The full folding used by match keys and the search analyzer.

    Lowercase, accents removed, punctuation turned into spaces (initialisms and apostrophe
    words kept whole), "anak2" spelled out, old spelling and spelling variants folded,
    whitespace collapsed. Idempotent: ``fold_text(fold_text(x)) == fold_text(x)``.
    Pass ``old_spelling=False`` for text known not to be Indonesian or Malay.
    """
    if not text:
        return ""
    if len(text) <= _MEMO_LENGTH:
        return _fold_short(text, old_spelling)
    return _fold(text, old_spelling)


# Names, publishers, title words and degree tokens repeat across a catalogue; folding them
# once is much of the cost of matching. Long texts (notes, abstracts) are not remembered.
_MEMO_LENGTH = 80


def _fold(text: str, old_spelling: bool) -> str:
    text = expand_reduplication(strip_punctuation(fold_characters(text)))
    words = text.split()
    if old_spelling:
        words = [fold_word(w) for w in words]
    return " ".join(words)


_fold_short = lru_cache(maxsize=1 << 17)(_fold)


def tokens(text: str | None, *, old_spelling: bool = True) -> list[str]:
    """The words of :func:`fold_text`, as a list."""
    return fold_text(text, old_spelling=old_spelling).split()
