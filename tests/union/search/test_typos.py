"""Typo tolerance as pure functions: candidate words, which words get corrected, and the
retry when a query finds nothing (with a fake engine)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from union.search.engine import Hit, SearchQuery, SearchResults
from union.search.plan import Plan
from union.search.tree import And, Not, Or, Term, positive_terms
from union.search.typos import (
    MAX_CORRECTIONS,
    WORD_ALPHABET,
    correctable_words,
    corrected_tree,
    one_edit_variants,
    run_search,
    within_one_edit,
)

COUNTS = {"perpustakaan": 50, "perpustakaa": 1, "perpustakaan2": 2, "pustaka": 90}


def test_one_edit_of_any_kind() -> None:
    def near(word: str, *candidates: str) -> list[str]:
        return within_one_edit(word, candidates, lambda candidate: 1)

    assert near("perpustakan", "perpustakaan") == ["perpustakaan"]  # insertion
    assert near("perpustakaaan", "perpustakaan") == ["perpustakaan"]  # deletion
    assert near("perpustakaen", "perpustakaan") == ["perpustakaan"]  # substitution
    assert near("perpustkaaan", "perpustakaan") == ["perpustakaan"]  # transposition
    assert near("perpustakn", "perpustakaan") == []  # two edits


def test_candidates_are_ranked_by_frequency_and_limited() -> None:
    counts = {"sejarah": 40, "sejarak": 3, "sejara": 7, "sejarahh": 1, "sejarah2": 9}
    assert within_one_edit("sejarax", counts, counts.__getitem__) == [
        "sejarah",
        "sejara",
        "sejarak",
    ]
    assert len(within_one_edit("sejarah", counts, counts.__getitem__)) == MAX_CORRECTIONS


def test_the_word_itself_is_not_a_correction() -> None:
    assert within_one_edit("pustaka", ["pustaka"], lambda word: 5) == []


def test_only_long_positive_words_are_correctable() -> None:
    tree = And(
        (
            Term(None, "pusta", "perpustakan"),
            Term(None, "bku", "bku"),
            Not(Term(None, "jawaa", "jawaaa")),
        )
    )
    assert correctable_words(tree) == ["perpustakan"]


def test_corrected_tree_widens_the_term_in_its_field() -> None:
    tree = And((Term("title", "pusta", "perpustakan"), Term(None, "akademik", "akademik")))
    widened = corrected_tree(tree, {"perpustakan": ("perpustakaan",)})
    assert widened == And(
        (
            Or((Term("title", "pusta", "perpustakan"), Term("title", "pustaka", "perpustakaan"))),
            Term(None, "akademik", "akademik"),
        )
    )


class FakeVocabulary:
    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.asked: list[str] = []

    def frequency(self, word: str) -> int:
        return self.counts.get(word, 0)

    def similar(self, word: str) -> list[str]:
        self.asked.append(word)
        return within_one_edit(word, self.counts, self.frequency)


def fake_execute(plans: list[Plan]):  # type: ignore[no-untyped-def]
    """Finds something only once the tree mentions "pustaka"."""

    def execute(plan: Plan) -> SearchResults:
        plans.append(plan)
        if "pustaka" in positive_terms(plan.root):
            return SearchResults(1, (Hit("w1", 1.0, {"title": "Perpustakaan"}),))
        return SearchResults(0, ())

    return execute


def test_nothing_found_retries_with_corrections() -> None:
    plans: list[Plan] = []
    vocabulary = FakeVocabulary({**COUNTS, "akademik": 4, "akademis": 2})
    results = run_search(SearchQuery("perpustakan akademik"), fake_execute(plans), vocabulary)
    assert results.total == 1
    assert results.corrections == {"perpustakan": ("perpustakaan", "perpustakaa")}
    assert vocabulary.asked == ["perpustakan"]  # "akademik" is a known word
    assert len(plans) == 2
    assert "pustaka" in plans[1].highlight_terms


def test_known_words_are_all_widened_when_none_is_unknown() -> None:
    vocabulary = FakeVocabulary({"sejarah": 4, "sejarak": 1, "rakyat": 3})
    run_search(SearchQuery("sejarak rakyat"), fake_execute([]), vocabulary)
    assert vocabulary.asked == ["sejarak", "rakyat"]


@pytest.mark.parametrize("query", [
    SearchQuery("sejarak rakyat", filters={"branch": ["DESA03"]}),
    SearchQuery("sejarak rakyat", year_from=1990),
    SearchQuery("sejarak rakyat", year_to=1950),
], ids=["facet filter", "year from", "year to"])
def test_a_filtered_search_of_known_words_is_not_retried(query: SearchQuery) -> None:
    plans: list[Plan] = []
    vocabulary = FakeVocabulary({"sejarah": 4, "sejarak": 1, "rakyat": 3})
    results = run_search(query, fake_execute(plans), vocabulary)
    assert (results.total, results.corrections, vocabulary.asked) == (0, {}, [])
    assert len(plans) == 1


def test_a_filtered_search_still_corrects_unknown_words() -> None:
    plans: list[Plan] = []
    query = SearchQuery("perpustakan", filters={"branch": ["KOTA"]})
    results = run_search(query, fake_execute(plans), FakeVocabulary(COUNTS))
    assert results.total == 1
    assert "perpustakan" in results.corrections
    assert len(plans) == 2


def test_found_means_no_retry() -> None:
    plans: list[Plan] = []
    results = run_search(SearchQuery("pustaka"), fake_execute(plans), FakeVocabulary(COUNTS))
    assert results.corrections == {}
    assert len(plans) == 1


def test_no_retry_when_switched_off_or_nothing_to_correct() -> None:
    plans: list[Plan] = []
    off = SearchQuery("perpustakan", typo_tolerance=False)
    assert run_search(off, fake_execute(plans), FakeVocabulary(COUNTS)).total == 0
    assert (
        run_search(SearchQuery("zzzzzzz"), fake_execute(plans), FakeVocabulary(COUNTS)).total == 0
    )
    assert len(plans) == 2


WORDS = st.text(alphabet=WORD_ALPHABET, min_size=1, max_size=9)


@given(WORDS, WORDS)
def test_variants_are_exactly_the_words_one_edit_away_with_the_same_initial(
    word: str, other: str
) -> None:
    variants = one_edit_variants(word)
    assert variants is not None
    near = OSA.distance(word, other) == 1 and other[0] == word[0]
    assert (other in variants) == near


@given(WORDS.flatmap(lambda word: st.tuples(st.just(word), st.sampled_from(
    sorted(one_edit_variants(word) or {word})))))
def test_every_variant_is_one_edit_away(pair: tuple[str, str]) -> None:
    word, variant = pair
    assert variant == word or OSA.distance(word, variant) == 1


def test_a_word_of_another_script_has_no_known_variants() -> None:
    assert one_edit_variants("서울") is None


@st.composite
def one_edit_apart(draw: st.DrawFn) -> tuple[str, str]:
    """A word and the word after one random edit of any kind."""
    word = draw(WORDS)
    i = draw(st.integers(0, len(word)))
    ch = draw(st.sampled_from(WORD_ALPHABET))
    edits = [word[:i] + ch + word[i:]]
    if i < len(word):
        edits += [word[:i] + word[i + 1:], word[:i] + ch + word[i + 1:]]
    if i + 1 < len(word):
        edits.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return word, draw(st.sampled_from(edits))


@given(one_edit_apart())
def test_every_word_one_edit_away_with_the_same_initial_is_a_variant(
    pair: tuple[str, str]
) -> None:
    word, edited = pair
    variants = one_edit_variants(word)
    assert variants is not None
    if edited != word and edited[:1] == word[:1]:
        assert edited in variants
