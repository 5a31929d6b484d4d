"""Years of publication from 260/264 $c text and from 008."""

from __future__ import annotations

from union.normalize.dates import year_from_008, year_from_text


def test_plain_year() -> None:
    assert year_from_text("1998.") == 1998


def test_bracketed_and_copyright_years() -> None:
    assert year_from_text("[1998]") == 1998
    assert year_from_text("c2005.") == 2005
    assert year_from_text("[2000?]") == 2000


def test_corrected_year_after_ie_wins() -> None:
    assert year_from_text("1999/2000 [i.e. 1999]") == 1999
    assert year_from_text("1997 [i.e. 1999]") == 1999
    assert year_from_text("20000 [i.e. 2000]") == 2000


def test_uncertain_decade_gives_no_year() -> None:
    assert year_from_text("[19--?]") is None
    assert year_from_text("[199-?]") is None


def test_hijri_year_is_skipped_for_the_gregorian_one() -> None:
    assert year_from_text("1418 H./1997 M.") == 1997
    assert year_from_text("1420 AH [1999]") == 1999


def test_implausible_numbers_are_not_years() -> None:
    assert year_from_text("29 cm.") is None
    assert year_from_text("1300") is None
    assert year_from_text("2101") is None


def test_first_year_of_a_range() -> None:
    assert year_from_text("1925-1930.") == 1925


def test_year_from_008_date1() -> None:
    assert year_from_008("000712s1998    io            000 0 ind  ") == 1998


def test_008_with_unknown_digits_gives_no_year() -> None:
    assert year_from_008("000712s19uu    io            000 0 ind  ") is None
    assert year_from_008("000712n        io            000 0 ind  ") is None


def test_short_008_gives_no_year() -> None:
    assert year_from_008("eng") is None


def test_digits_that_int_refuses_give_no_year() -> None:
    # "²" is a digit to str.isdigit(), not to int().
    assert year_from_text("199\u00b2") is None
    assert year_from_008("000712s199\u00b2    io            000 0 ind  ") is None


def test_a_year_in_arabic_indic_digits_is_read() -> None:
    assert year_from_text("\u0661\u0669\u0669\u0668") == 1998
