"""Candidate selection (pure): the blocking keys of a record, and which records that
share a key are worth comparing.

Keys follow :func:`union.dedup.blocking_keys` (identifiers; the first three title words
cut to four letters; the first title word with the main person's name, here only its
longest word, which is rarer), plus title keys that survive a typo; the title
words are those of the title proper as pairwise matching reads it (before the first
" : "), so a village catalogue that types title and subtitle in one field meets the
record that splits them.

A key shared by more than :data:`MAX_BLOCK` records (a generic title such as "Laporan
tahunan") picks no candidates: its records still meet under their other keys, and
comparing every pair of such a block would cost quadratic time.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache

from union.bib_record import BibRecord
from union.dedup.pairwise import MatchView, match_view

__all__ = ["KEY_LENGTH", "MAX_BLOCK", "blocks_of", "candidate_pairs", "record_keys", "view_keys"]

_VOWELS = re.compile(r"[aeiou]")
_DOUBLED = re.compile(r"(.)\1+")

#: Blocks larger than this pick no candidates.
MAX_BLOCK = 50
#: Keys are cut to this many characters (the column's width).
KEY_LENGTH = 128


def view_keys(view: MatchView) -> frozenset[str]:
    """The blocking keys of a record from its match view (see the module docstring)."""
    ids = view.ids
    keys = {f"isbn:{v}" for v in ids.isbns}
    keys.update(f"lccn:{v}" for v in ids.lccns)
    keys.update(f"oclc:{v}" for v in ids.oclc_numbers)
    keys.update(f"nbn:{v}" for v in ids.national_numbers)
    words = view.main.words
    if words:
        keys.add("t:" + " ".join(w[:4] for w in words[:3]))
        # Village catalogues mistype and abbreviate: more keys, so that a slip in any
        # one word leaves one of them whole. The second to fourth words; the two longest
        # words; the first and the last word; the consonants of the first three words,
        # doubled letters once (a vowel dropped or doubled: "PRSIDING", "Sakkitnya").
        if len(words) >= 3:
            keys.add("t2:" + " ".join(w[:4] for w in words[1:4]))
        longest = sorted(sorted(words, key=len, reverse=True)[:2])
        keys.add("tl:" + " ".join(w[:6] for w in longest))
        if len(words) > 3:
            keys.add(f"tf:{words[0][:6]} {words[-1][:6]}")
        skeleton = " ".join(_skeleton(w) for w in words[:3])
        keys.add("tc:" + skeleton)
        if view.persons and view.persons[0].full_words:
            # The main person (first, as pairwise matching orders them) by the longest
            # word of the name: the same in inverted and direct order, and rarer than a
            # given name such as "Muhammad" or "John".
            name = max(view.persons[0].full_words, key=lambda w: (len(w), w))
            keys.add(f"ta:{words[0][:5]}:{name}")
    return frozenset(k[:KEY_LENGTH] for k in keys)


@lru_cache(maxsize=1 << 16)
def _skeleton(word: str) -> str:
    """The consonants of ``word``, doubled letters once (memoized: title words repeat)."""
    return _DOUBLED.sub(r"\1", _VOWELS.sub("", word)) or word


def record_keys(record: BibRecord) -> frozenset[str]:
    """The blocking keys of ``record``, from its (cached) match view, so that matching it
    next costs no second reading."""
    return view_keys(match_view(record))


def candidate_pairs(
    blocks: Mapping[str, Collection[int]], *, limit: int = MAX_BLOCK
) -> set[tuple[int, int]]:
    """Every (smaller, larger) pair of record ids sharing a block of at most ``limit``."""
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue  # most keys: one record alone
        ids = sorted(set(members))
        if 2 <= len(ids) <= limit:
            pairs.update(itertools.combinations(ids, 2))
    return pairs


def blocks_of(keys: Mapping[int, Iterable[str]]) -> dict[str, list[int]]:
    """Key -> the records having it."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for record, record_keys_ in keys.items():
        for key in record_keys_:
            blocks[key].append(record)
    return blocks
