"""Title comparison: how close two bib records' titles are.

A record's title is read as matching sees it (:class:`TitleView`): its parts in order,
split at every " : ", their significant words, and where each part ends. Two titles then
agree at one of a few levels (:func:`title_level`): the same words, the same up to
abbreviations, typos in long words and compounds written apart, one title being the
other without its trailing subtitle(s), or a long title that the other goes on from;
anything else is a conflict. Numbers never match approximately: "XIII" is not "XIV".
Every comparison is symmetric.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz.distance import OSA, Indel

from union.bib_record import BibRecord
from union.dedup.numbering import parse_number
from union.dedup.title_words import STOP_WORDS, TitleWords, title_words

__all__ = [
    "BLOCKING_LEVELS",
    "SPECIFIC_WORDS",
    "TitleView",
    "Titled",
    "read_title",
    "title_level",
    "title_view",
]

#: Significant title words from which a title is specific: agreeing with it is rarer by
#: chance than agreeing with "Laporan tahunan".
SPECIFIC_WORDS = 5
#: Exactly shared title words from which a one-letter slip in a shorter word is a typo.
TYPO_CONTEXT = 2
#: Exactly shared title words from which a word cut short without a period ("pemb")
#: stands for the longer word it begins.
TRUNCATION_CONTEXT = 3


class Titled(Protocol):
    """A record's title as comparison reads it: a :class:`TitleView`, or a fuller view of
    the record that carries the same fields."""

    @property
    def main(self) -> TitleWords:
        """The title proper."""
        ...

    @property
    def full(self) -> TitleWords:
        """All the title's words, every part in order."""
        ...

    @property
    def boundaries(self) -> tuple[int, ...]:
        """The word positions in :attr:`full` where a part ends."""
        ...


def _segments(record: BibRecord) -> tuple[TitleWords, ...]:
    # Sources differ in where "Title : subtitle" goes (SLiMS often keeps it in one field,
    # LC titles proper may hold colons), so every " : " is a segment boundary.
    parts = [record.title, record.subtitle, record.part_name]
    pieces = [p for part in parts if part for p in part.split(" : ")]
    segments = [title_words(p) for p in pieces]
    return tuple(s for s in segments if s.words)


@dataclass(frozen=True, slots=True)
class TitleView:
    """A record's title as matching reads it (the title part of
    :class:`~union.dedup.pairwise.MatchView`): cheaper to build, enough to tell that two
    titles disagree."""

    segments: tuple[TitleWords, ...]
    full: TitleWords
    boundaries: tuple[int, ...]

    @property
    def main(self) -> TitleWords:
        """The title proper."""
        return self.segments[0] if self.segments else TitleWords()


def read_title(record: BibRecord) -> TitleView:
    """The :class:`TitleView` of ``record``, read afresh (see :func:`title_view`)."""
    segments = _segments(record)
    words = tuple(w for segment in segments for w in segment.words)
    abbreviations = frozenset().union(*(segment.abbreviations for segment in segments))
    written = tuple(pair for segment in segments for pair in segment.written)
    ends = tuple(itertools.accumulate(len(segment.words) for segment in segments))
    return TitleView(segments, TitleWords(words, abbreviations, written), ends)


@lru_cache(maxsize=8192)
def title_view(record: BibRecord) -> TitleView:
    """The :class:`TitleView` of ``record`` (memoized)."""
    return read_title(record)


# ------------------------------------------------------------------------------ comparison


_ROMAN_LETTERS = frozenset("ivxlcdm")
# Shorter stop words are one slip from title words ("pada" / "padi", "dari" / "hari").
_LONG_STOP_WORDS = tuple(sorted(w for w in STOP_WORDS if len(w) >= 6))
_DIGIT = re.compile(r"\d")
# More approximate word pairs than this and two titles are not the same title.
_MAX_APPROXIMATE = 4


def _is_numeric(word: str) -> bool:
    """Digits, ordinals ("3rd") and roman numerals ("xiv"): never matched approximately."""
    if _DIGIT.search(word):
        return True
    return set(word) <= _ROMAN_LETTERS and parse_number(word) is not None


def _words_equivalent(x: str, y: str, a: TitleWords, b: TitleWords, context: int = 0) -> bool:
    """Two different title words, ``x`` of ``a`` and ``y`` of ``b``, that may stand for each
    other: an abbreviation written with a period ("Kab." / "Kabupaten", "Dep." /
    "Departemen") or a typo in a long word ("Kabupatem" / "Kabupaten"), folded or as
    written ("Propini" / "Propinsi"). Numbers never: "XIII" is not "XIV", "1998" not
    "1999"."""
    for short, long, abbrevs in ((x, y, a.abbreviations), (y, x, b.abbreviations)):
        if short in abbrevs and len(short) < len(long) and short[0] == long[0]:
            rest = iter(long)
            if all(ch in rest for ch in short) and not _is_numeric(long):
                return True  # letters in order: "dept" in "departemen"
    if _is_numeric(x) or _is_numeric(y):
        return False
    if min(len(x), len(y)) >= 4 and _y_for_j(x) == _y_for_j(y):
        return True  # old spelling's j for /y/ in a word with no other old mark: "kaja"
    if context >= TRUNCATION_CONTEXT and _truncates(x, y):
        return True  # "pemb" / "pembangunan", "indon" / "indonesia": cut without a period
    if _is_typo(x, y, context):
        return True
    as_x, as_y = _as_written(a, x), _as_written(b, y)
    return (as_x, as_y) != (x, y) and any(
        _is_typo(p, q, context) for p, q in ((as_x, y), (x, as_y), (as_x, as_y)))


def _as_written(words: TitleWords, word: str) -> str:
    """``word`` as ``words``' title wrote it (itself unless folding changed it)."""
    for folded, form in words.written:
        if folded == word:
            return form
    return word


def _is_typo(x: str, y: str, context: int) -> bool:
    """Whether two words differ by a slip: in a word of eight letters or more, a few
    letters; in a long title (``context`` words shared exactly), one letter in a word of
    five or more; in a short title a shorter word one letter off may be another word."""
    if min(len(x), len(y)) < 8:
        return (context >= TYPO_CONTEXT and min(len(x), len(y)) >= 5
                and OSA.distance(_y_for_j(x), _y_for_j(y)) <= 1)
    return Indel.normalized_similarity(_y_for_j(x), _y_for_j(y)) >= 0.85


def _truncates(x: str, y: str) -> bool:
    """One word is the other cut short (three letters or more of a word of six or more)."""
    short, long = (x, y) if len(x) < len(y) else (y, x)
    return len(short) >= 3 and len(long) >= 6 and long.startswith(short)


def _misspelled_stop_words(words: list[str]) -> list[str]:
    """The words that are a stop word of six letters or more with one slip ("terhaap",
    "tersadap" for "terhadap"): title matching drops stop words, so such a word is left
    over with no partner."""
    return [w for w in words if _is_misspelled_stop_word(w)]


@lru_cache(maxsize=1 << 16)
def _is_misspelled_stop_word(word: str) -> bool:
    # Memoized: asked of the same title words for pair after pair.
    return len(word) >= 5 and any(abs(len(word) - len(stop)) <= 1
                                  and OSA.distance(word, stop) <= 1
                                  for stop in _LONG_STOP_WORDS)


def _y_for_j(word: str) -> str:
    """The word with every j read as y (and nj as ny): how old spelling wrote /y/.

    Folding maps j to y only in words that show another old-spelling mark, since a blanket
    rule would merge "raja" and "raya"; comparing two title words, a j/y difference is
    counted as one approximate word, like a typo."""
    return word.replace("j", "y")


def _max_matching(partners: list[list[int]]) -> int:
    """Size of a maximum matching of left words to right words, ``partners[i]`` being the
    right words left word ``i`` may pair with (augmenting paths)."""
    partner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in partners[i]:
            if j not in seen:
                seen.add(j)
                if j not in partner or augment(partner[j], seen):
                    partner[j] = i
                    return True
        return False

    return sum(1 for i in range(len(partners)) if augment(i, set()))


def _remove_compounds(single: list[str], other: list[str]) -> tuple[list[str], list[str]]:
    """Match a word of ``single`` with two adjacent words of ``other`` written apart
    ("sumberdaya" / "sumber daya", "pertanggungjawaban" / "pertanggung jawaban")."""
    if {x + y for x, y in itertools.pairwise(other)}.isdisjoint(single):
        return single, other  # the common case, told at the cost of one pass
    single, other = list(single), list(other)
    changed = True
    while changed:
        changed = False
        for i, word in enumerate(single):
            for j in range(len(other) - 1):
                if other[j] + other[j + 1] == word:
                    del single[i]
                    del other[j : j + 2]
                    changed = True
                    break
            if changed:
                break
    return single, other


def _aligned(a: TitleWords, b: TitleWords) -> bool:
    """Whether every word of each title has a partner in the other: the same word, an
    abbreviation, a typo in a long word, or a compound written apart."""
    if a.words > b.words:
        a, b = b, a  # a fixed order makes the greedy compound step symmetric
    left = list(a.words)
    right = list(b.words)
    for word in list(left):
        if word in right:
            left.remove(word)
            right.remove(word)
    shared = len(a.words) - len(left)  # words both titles have exactly
    if shared >= TYPO_CONTEXT:
        for side in (left, right):
            for word in _misspelled_stop_words(side):
                side.remove(word)
    if not left and not right:
        return True
    if not left or not right or max(len(left), len(right)) > 2 * _MAX_APPROXIMATE:
        return False
    left, right = _remove_compounds(left, right)
    right, left = _remove_compounds(right, left)
    if len(left) != len(right) or len(left) > _MAX_APPROXIMATE:
        return False  # what is left pairs one to one, or not at all
    partners = []
    for x in left:
        row = [j for j, y in enumerate(right) if _words_equivalent(x, y, a, b, shared)]
        if not row:
            return False  # a word without any partner: most conflicting titles stop here
        partners.append(row)
    return _max_matching(partners) == len(left)


def title_level(a: Titled, b: Titled) -> str:
    """Title agreement: exact: same significant words; close: the same up to
    abbreviations, typos in long words and compounds written apart; partial: one title is
    the other without its trailing subtitle(s); prefix: a title of :data:`SPECIFIC_WORDS`
    words or more that the other goes on from; conflict: anything else; missing: an empty
    title."""
    if not a.main.words or not b.main.words:
        return "missing"
    full_a, full_b = a.full, b.full
    if full_a.words == full_b.words:
        return "exact"
    if _aligned(full_a, full_b):
        return "close"
    # One title stops where the other goes on with more title information: many
    # catalogues leave subtitles out. The shorter must cover the longer's title proper.
    for short, long in ((a, b), (b, a)):
        for end in long.boundaries[:-1]:
            if end < len(long.main.words):
                continue
            prefix = TitleWords(long.full.words[:end], long.full.abbreviations,
                                long.full.written)
            if _aligned(short.full, prefix):
                return "partial"
    # A long title that the other goes on from without a mark ("... in children.
    # European Lung Cancer Working Party", "... data hacking - Predictors and ..."):
    # it does not block, but weighs nothing: a longer title may be another book, so the
    # identifiers and the description must carry the merge alone.
    for short, long in ((a, b), (b, a)):
        length = len(short.full.words)
        if SPECIFIC_WORDS <= length < len(long.full.words) and _aligned(
                short.full, TitleWords(long.full.words[:length], long.full.abbreviations,
                                       long.full.written)):
            return "prefix"
    return "conflict"


#: The title levels that block a merge.
BLOCKING_LEVELS = frozenset({"conflict", "missing"})
