"""Series and journal titles as sources write them: the same series abbreviated word by
word, a title inside another, another series; numbers with and without the issue.
Titles are real ones from the LoC Indonesian records and the bib-dedupe literature sets,
folded as ``union.dedup.series.series_numbers`` folds them."""

from __future__ import annotations

import pytest

from union.dedup.series import (
    SeriesAgreement,
    SeriesNumber,
    compare_series_titles,
    parse_series_number,
)
from union.text.folding import fold_text


def agreement(a: str, b: str) -> SeriesAgreement:
    return compare_series_titles(fold_text(a), fold_text(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("New Engl J Med", "New England Journal of Medicine"),
        ("N Engl J Med", "New England Journal of Medicine"),
        ("Ann Fr Anesth Reanim", "Annales francaises d anesthesie et de reanimation"),
        ("J Indian Med Assoc", "Journal of the Indian Medical Association"),
        ("Archives of Pathology & Laboratory Medicine",
         "Archives of Pathology and Laboratory Medicine"),
        ("Monografi Lemb. Studi Realino", "Monografi Lembaga Studi Realino"),
    ],
)
def test_a_title_abbreviated_word_by_word_is_the_same_series(a: str, b: str) -> None:
    assert agreement(a, b) is SeriesAgreement.SAME
    assert agreement(b, a) is SeriesAgreement.SAME


def test_a_title_contained_in_another_is_only_related() -> None:
    # "Stroke" may be "Stroke: a journal of cerebral circulation", or another journal
    # with "stroke" in its name: it neither agrees nor disagrees.
    assert agreement("Stroke", "Stroke: a journal of cerebral circulation") is (
        SeriesAgreement.RELATED)
    assert agreement("Stroke", "Topics in Stroke Rehabilitation") is SeriesAgreement.RELATED


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pediatric Nephrology", "Swiss Medical Weekly"),
        ("Journal of Biological Chemistry", "European Journal of Immunology"),
        ("Seri laporan", "Monograph series"),
    ],
)
def test_unrelated_titles_are_different_series(a: str, b: str) -> None:
    assert agreement(a, b) is SeriesAgreement.DIFFERENT


def test_a_number_without_its_issue_agrees_with_the_number_with_one() -> None:
    # "Blood ; 108/04" and "Blood ; 108": one source left the issue out.
    assert parse_series_number("108/04") == SeriesNumber("108", "04")
    assert parse_series_number("108/04").agrees_with(parse_series_number("108"))


def test_another_volume_or_another_issue_disagrees() -> None:
    assert not parse_series_number("26/11").agrees_with(parse_series_number("25/11"))
    assert not parse_series_number("22/09").agrees_with(parse_series_number("22/12"))
