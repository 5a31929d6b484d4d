"""Typo tolerance: when a query finds nothing, search again with corrected words.

Why a fallback rather than fuzzy matching on every search: fuzzy terms cost more and
blur precise queries ("bahasa" would also find "bahasan", "sejarah" "sejarawan"), while
an empty result is exactly when a patron needs help. Why correct words rather than run
fuzzy queries: the index holds *stems*, and a misspelled word is usually not stemmed
("perpustakan" gives the non-stem "pusta", two edits from "pustaka"). So each word of five
letters or more is looked up in the index's vocabulary of unstemmed words
(:data:`union.search.fields.WORDS`): words one edit away (insertion, deletion,
substitution or transposition of neighbours), with the same first letter, most frequent
first, at most :data:`MAX_CORRECTIONS` of them. Only words the vocabulary does not know
are corrected, unless it knows them all. They are analyzed like any query word
and ORed with the original, in whatever field the original was. The results say which
words were corrected, so a page can show "Menampilkan hasil untuk perpustakaan".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from rapidfuzz.distance import OSA

from union.search.analysis import tokens
from union.search.engine import SearchQuery, SearchResults
from union.search.plan import Plan, plan_search
from union.search.query import term_node
from union.search.tree import Node, Term, any_of, rewrite_positive_terms

__all__ = [
    "MAX_CORRECTIONS",
    "MIN_TYPO_LENGTH",
    "Vocabulary",
    "correctable_words",
    "corrected_tree",
    "one_edit_variants",
    "run_search",
    "within_one_edit",
]

#: Words shorter than this are never corrected (too many neighbours).
MIN_TYPO_LENGTH = 5
#: At most this many corrections are searched for one word.
MAX_CORRECTIONS = 3


class Vocabulary(Protocol):
    """An index's vocabulary of unstemmed words (:data:`union.search.fields.WORDS`)."""

    def frequency(self, word: str) -> int:
        """How many documents contain ``word``."""
        ...

    def similar(self, word: str) -> list[str]:
        """Words one edit from ``word`` (see :func:`within_one_edit`)."""
        ...


def correctable_words(root: Node) -> list[str]:
    """The surfaces of the tree's positive terms long enough to correct, in order."""
    found: list[str] = []

    def collect(term: Term) -> Node:
        if len(term.surface) >= MIN_TYPO_LENGTH and term.surface not in found:
            found.append(term.surface)
        return term

    rewrite_positive_terms(root, collect)
    return found


#: The characters folded index words are made of; see :func:`one_edit_variants`.
WORD_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def one_edit_variants(word: str) -> set[str] | None:
    """Every string one edit from ``word`` (as :func:`within_one_edit` counts edits) that
    keeps its first letter, or None when ``word`` has characters outside
    :data:`WORD_ALPHABET` (its alphabet is then unknown).

    Why: looking each variant up in the index costs about a microsecond, so a word's few
    hundred variants are checked in well under a millisecond, whatever the size of the
    vocabulary; walking every indexed word of one initial grows with the catalogue."""
    if not word or any(ch not in WORD_ALPHABET for ch in word):
        return None
    variants: set[str] = set()
    for i in range(len(word) + 1):
        left, right = word[:i], word[i:]
        variants.update(left + ch + right for ch in WORD_ALPHABET)
        if right:
            variants.add(left + right[1:])
            variants.update(left + ch + right[1:] for ch in WORD_ALPHABET)
        if len(right) > 1:
            variants.add(left + right[1] + right[0] + right[2:])
    variants.discard(word)
    return {variant for variant in variants if variant[:1] == word[:1]}


def within_one_edit(
    word: str, candidates: Iterable[str], frequency: Callable[[str], int]
) -> list[str]:
    """The ``candidates`` one edit from ``word`` (``word`` itself excluded), most
    frequent first by ``frequency`` (documents containing the word), at most
    :data:`MAX_CORRECTIONS`."""
    size = len(word)
    near = [
        candidate
        for candidate in candidates
        if abs(len(candidate) - size) <= 1
        and candidate != word
        and OSA.distance(word, candidate, score_cutoff=1) <= 1
    ]
    ranked = sorted(near, key=lambda candidate: (-frequency(candidate), candidate))
    return ranked[:MAX_CORRECTIONS]


def corrected_tree(root: Node, corrections: Mapping[str, Sequence[str]]) -> Node:
    """``root`` with every positive term whose surface has corrections ORed with them."""

    def widen(term: Term) -> Node:
        alternatives = corrections.get(term.surface)
        if not alternatives:
            return term
        nodes: list[Node] = [term]
        for word in alternatives:
            nodes.extend(term_node(term.field, token) for token in tokens(word))
        return any_of(*nodes)

    return rewrite_positive_terms(root, widen)


def run_search(
    query: SearchQuery,
    execute: Callable[[Plan], SearchResults],
    vocabulary: Vocabulary,
) -> SearchResults:
    """Plan ``query`` and ``execute`` it; when it finds nothing and typo tolerance is
    on, execute it again with corrected words.

    Only the words the index does not know are corrected; when it knows them all (the
    words exist, just not together), every word long enough is widened instead, unless
    the search is filtered: then the filters, not the spelling, are why nothing matched,
    and a retry would only cost time.
    """
    plan = plan_search(query)
    results = execute(plan)
    if results.total or not query.typo_tolerance:
        return results
    words = correctable_words(plan.root)
    unknown = [word for word in words if not vocabulary.frequency(word)]
    filtered = bool(query.filters) or query.year_from is not None or query.year_to is not None
    if filtered and not unknown:
        return results
    corrections = {}
    for word in unknown or words:
        proposed = tuple(vocabulary.similar(word))
        if proposed:
            corrections[word] = proposed
    if not corrections:
        return results
    retry = Plan.of(corrected_tree(plan.root, corrections), plan.title_key)
    return replace(execute(retry), corrections=corrections)
