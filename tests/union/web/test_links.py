"""The links of the result pages (pure)."""

from __future__ import annotations

from union.web.links import href, replaced, toggled, without


def test_toggling_a_filter_adds_it_and_goes_back_to_the_first_page() -> None:
    pairs = [("q", "sejarah"), ("page", "3")]
    assert toggled(pairs, "branch", "KOTA") == [("q", "sejarah"), ("branch", "KOTA")]


def test_toggling_a_chosen_filter_removes_it() -> None:
    pairs = [("q", "sejarah"), ("branch", "KOTA"), ("branch", "DESA1")]
    assert toggled(pairs, "branch", "KOTA") == [("q", "sejarah"), ("branch", "DESA1")]


def test_without_removes_only_that_value() -> None:
    pairs = [("branch", "KOTA"), ("branch", "DESA1"), ("page", "2")]
    assert without(pairs, "branch", "DESA1") == [("branch", "KOTA")]


def test_replaced_sets_one_parameter_and_none_drops_it() -> None:
    pairs = [("q", "x"), ("page", "2")]
    assert replaced(pairs, "page", "3") == [("q", "x"), ("page", "3")]
    assert replaced(pairs, "page", None) == [("q", "x")]


def test_href_encodes_the_query_string_and_omits_an_empty_one() -> None:
    assert href("/cari", [("q", "bumi & manusia"), ("subject", "Sejarah -- Jawa")]) == (
        "/cari?q=bumi+%26+manusia&subject=Sejarah+--+Jawa")
    assert href("/cari", []) == "/cari"
