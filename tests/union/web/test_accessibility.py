"""Every patron page, read as HTML: labelled controls, a skip link, headings in order,
and nothing that needs JavaScript."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.union.web.support import Catalogue, Page, fetch


@pytest.fixture
async def pages(server: str, catalogue: Catalogue) -> list[Page]:
    """A page of every kind, in both languages, an error and a not-found among them."""
    work = f"/karya/{catalogue.survivor_id}"
    paths = ("/", "/cari?q=indonesia", "/cari?local=true", "/cari?page=x", work,
             f"{work}/marc", "/karya/999999999", "/?lang=en", "/cari?q=indonesia&lang=en")
    return [await fetch(server, path) for path in paths]


def test_every_form_control_has_a_label(pages: list[Page]) -> None:
    for page in pages:
        controls = page.tree.xpath("//input[not(@type='hidden')] | //select | //textarea")
        for control in controls:
            assert page.tree.xpath(f"//label[@for='{control.get('id')}']"), (page.url, control)


def test_every_button_and_link_has_a_name(pages: list[Page]) -> None:
    for page in pages:
        for element in page.tree.xpath("//a | //button"):
            assert " ".join(element.text_content().split()), (page.url, element.attrib)


def test_the_first_link_skips_to_the_main_content(pages: list[Page]) -> None:
    for page in pages:
        first = page.tree.xpath("//body//a")[0]
        assert first.get("href") == "#isi"
        assert page.tree.xpath("//main/@id") == ["isi"]


def test_headings_start_at_one_h1_and_never_skip_a_level(pages: list[Page]) -> None:
    for page in pages:
        levels = [int(h.tag[1]) for h in page.tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels[0] == 1 and levels.count(1) == 1, page.url
        for before, after in pairwise(levels):
            assert after <= before + 1, (page.url, levels)


def test_the_page_says_its_language(pages: list[Page]) -> None:
    for page in pages:
        expected = "en" if "lang=en" in page.url else "id"
        assert page.tree.get("lang") == expected


def test_pages_carry_no_script(pages: list[Page]) -> None:
    for page in pages:
        assert not page.tree.xpath("//script | //*[starts-with(@href, 'javascript:')]")
