"""The stemmer's fast path: a word that no Sastrawi affix rule can touch is returned
without running Sastrawi, and every stem stays exactly Sastrawi's."""

from __future__ import annotations

import re
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from tests.support.loc import loc_bibs
from union.search.analysis import may_carry_affix, stem, tokens
from union.text.folding import fold_characters

_PLAIN_WORD = re.compile(r"[a-z]{4,}")


@cache
def sastrawi() -> Stemmer:
    """PySastrawi's own stemmer, as its documentation builds it: the reference."""
    return Stemmer(ArrayDictionary(StemmerFactory().get_words()))


@cache
def loc_vocabulary() -> frozenset[str]:
    """Every plain folded word of the real LoC Indonesian records' searchable texts."""
    words: set[str] = set()
    for bib in loc_bibs():
        texts = (bib.title, bib.subtitle, bib.responsibility, bib.publisher, bib.place,
                 *bib.subjects, *bib.series, *(agent.name for agent in bib.agents))
        for text in texts:
            words.update(token.surface for token in tokens(text))
    return frozenset(word for word in words if _PLAIN_WORD.fullmatch(word))


def test_the_loc_vocabulary_exercises_both_paths() -> None:
    skipped = [word for word in loc_vocabulary() if not may_carry_affix(word)]
    assert len(loc_vocabulary()) > 10_000
    assert 0.2 * len(loc_vocabulary()) < len(skipped) < 0.9 * len(loc_vocabulary())


def test_words_without_an_affix_rule_come_back_unchanged_from_sastrawi() -> None:
    changed = {word: sastrawi().stem_word(word) for word in loc_vocabulary()
               if not may_carry_affix(word) and sastrawi().stem_word(word) != word}
    assert changed == {}


def test_stems_equal_sastrawi_over_the_loc_vocabulary() -> None:
    differ = {word: (stem(word), sastrawi().stem_word(word)) for word in loc_vocabulary()
              if stem(word) != sastrawi().stem_word(word)}
    assert differ == {}


def test_root_words_and_unaffixable_words_skip_sastrawi() -> None:
    assert not may_carry_affix("baca")  # a root of Sastrawi's dictionary
    assert not may_carry_affix("government")
    assert not may_carry_affix("soeharto")
    assert may_carry_affix("membaca")
    assert may_carry_affix("bukunya")
    assert may_carry_affix("tinambah")  # the infix -in- after a first consonant
    assert may_carry_affix("menulis")  # "tulis": the prefix put back its first letter
    assert may_carry_affix("deliserdang")  # an infix, then a prefix: "serdang"
    assert not may_carry_affix("democracy")  # a prefix shape, but no root after it
    assert not may_carry_affix("television")


_PREFIXES = ("", "di", "ke", "se", "me", "mem", "men", "meng", "meny", "menge", "mempe",
             "pe", "pem", "pen", "peng", "peny", "penge", "per", "be", "ber", "te", "ter",
             "ku", "kau", "diper", "memper", "keber")
_ENDINGS = ("", "i", "an", "kan", "is", "isme", "isasi", "lah", "kah", "tah", "pun", "ku",
            "mu", "nya", "kannya", "annya", "inya", "lahkah")
_INFIXES = ("el", "em", "er", "in")


@cache
def _roots() -> list[str]:
    return sorted(sastrawi().get_dictionary().words)


_letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_root = st.one_of(st.sampled_from(_roots()), _letters)
_infixed = st.builds(lambda root, infix: root[0] + infix + root[1:], _root,
                     st.sampled_from(_INFIXES))
affix_shaped_words = st.builds(lambda prefix, root, ending: prefix + root + ending,
                               st.sampled_from(_PREFIXES), st.one_of(_root, _infixed),
                               st.sampled_from(_ENDINGS))


@settings(max_examples=2000, deadline=None)
@given(st.one_of(affix_shaped_words, _letters))
def test_stem_equals_sastrawi_on_affix_shaped_words(word: str) -> None:
    expected = sastrawi().stem_word(word) if len(word) >= 4 else word
    assert stem(word) == expected


# Roots as prefix rules leave them in a word: whole, less a first letter a rule recodes
# ("men" + "ulis": "menulis"), or with an infix after the first letter.
_root_as_written = st.one_of(
    _root, _infixed,
    st.sampled_from(_roots()).filter(lambda root: root[0] in "ptks").map(lambda root: root[1:]))
stacked_affix_words = st.builds(
    lambda prefixes, root, ending: "".join(prefixes) + root + ending,
    st.lists(st.sampled_from(_PREFIXES), min_size=1, max_size=3), _root_as_written,
    st.sampled_from(_ENDINGS))


@settings(max_examples=2000, deadline=None)
@given(stacked_affix_words)
def test_a_word_sastrawi_would_change_is_never_skipped(word: str) -> None:
    if len(word) >= 4 and sastrawi().stem_word(word) != word:
        assert may_carry_affix(word)


_HYPHENATED_WORD = re.compile(r"[a-z]+-[a-z]+")


@cache
def loc_hyphenated_words() -> frozenset[str]:
    """Every word with one hyphen in the real LoC Indonesian records' texts, folded."""
    words: set[str] = set()
    for bib in loc_bibs():
        texts = (bib.title, bib.subtitle, bib.responsibility, bib.publisher,
                 *bib.subjects, *bib.series)
        for text in texts:
            words.update(_HYPHENATED_WORD.findall(fold_characters(text or "")))
    return frozenset(w for w in words if w.count("-") == 1)


def test_hyphenated_stems_equal_sastrawi_over_the_loc_vocabulary() -> None:
    assert len(loc_hyphenated_words()) > 300
    differ = {word: (stem(word), sastrawi().stem_word(word)) for word in loc_hyphenated_words()
              if stem(word) != sastrawi().stem_word(word)}
    assert differ == {}


_half = st.one_of(affix_shaped_words, _letters)
hyphenated_pairs = st.one_of(
    st.builds(lambda a, b: f"{a}-{b}", _half, _half),
    st.builds(lambda a: f"{a}-{a}", _half),  # reduplications: "buku-buku"
    st.builds(lambda a, e: f"{a}-{e}", _half,  # a particle after a hyphen: "allah-lah"
              st.sampled_from(("ku", "mu", "nya", "lah", "kah", "tah", "pun"))),
    st.builds(lambda p, a, e: f"{p}{a}-{a}{e}", st.sampled_from(_PREFIXES), _root,
              st.sampled_from(_ENDINGS)),  # "bermain-main", "berbalas-balasan"
    st.builds(lambda p, a: f"{p}{a}-{a[2:]}" if len(a) > 3 else f"{a}-{a}",
              st.sampled_from(_PREFIXES), _root),  # "meniru-nirukan" shapes
).filter(_HYPHENATED_WORD.fullmatch)  # Sastrawi's dictionary has entries such as 'oper "v,"'


@settings(max_examples=2000, deadline=None)
@given(hyphenated_pairs)
def test_stem_of_a_hyphenated_word_equals_sastrawi(word: str) -> None:
    assert stem(word) == sastrawi().stem_word(word)
