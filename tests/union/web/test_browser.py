"""End to end in a real browser: Debian's chromium, headless, driven by Playwright, on a
phone-sized screen."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.support.browser import chromium as headless_chromium
from tests.union.web.support import Catalogue

PHONE = {"width": 360, "height": 740}


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with headless_chromium() as launched:
        yield launched


async def _page(browser: Browser, *, javascript: bool = True) -> Page:
    context = await browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    return await context.new_page()


async def test_a_patron_searches_follows_a_facet_and_opens_a_work(
        browser: Browser, server: str) -> None:
    page = await _page(browser)
    await page.goto(server + "/")
    await page.get_by_label("Judul, pengarang, subjek atau ISBN").fill("sejarah")
    await page.get_by_role("button", name="Cari").click()
    await expect(page.locator("h1")).to_have_text("Hasil pencarian “sejarah”")
    total = await page.locator("main > p").first.inner_text()
    await page.get_by_text("Perpustakaan", exact=True).click()  # opens the facet
    await page.get_by_role("link", name="Perpustakaan KOTA").click()
    await expect(page.get_by_role("list", name="Saringan aktif")).to_contain_text(
        "Perpustakaan: Perpustakaan KOTA")
    assert await page.locator("main > p").first.inner_text() != total
    first = page.locator("ol.hits > li > a").first
    title = await first.inner_text()
    await first.click()
    await expect(page.locator("h1")).to_have_text(title)
    await expect(page.get_by_role("heading", name="Ketersediaan")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile("Perpustakaan KOTA"))).to_be_visible()


async def test_switching_language_changes_the_page_and_is_remembered(
        browser: Browser, server: str) -> None:
    page = await _page(browser)
    await page.goto(server + "/cari?q=sejarah")
    await page.get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("h1")).to_have_text("Search results for “sejarah”")
    await page.get_by_role("link", name="Home").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.get_by_role("link", name="Bahasa Indonesia").click()
    await expect(page.locator("html")).to_have_attribute("lang", "id")
    await expect(page.locator("h1")).to_have_text("Cari buku di semua perpustakaan")


async def _focused(page: Page) -> dict[str, str]:
    return await page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName, id: e.id, href: e.getAttribute('href') || '',
                text: e.textContent.trim(), outline: s.outlineStyle,
                width: s.outlineWidth};
    }""")


async def test_keyboard_alone_reaches_search_results_and_a_work(
        browser: Browser, server: str) -> None:
    page = await _page(browser)
    await page.goto(server + "/")
    await page.keyboard.press("Tab")
    skip = await _focused(page)
    assert skip["text"] == "Langsung ke isi" and skip["href"] == "#isi"
    assert skip["outline"] == "solid" and skip["width"] == "3px"
    await page.keyboard.press("Enter")
    assert (await _focused(page))["id"] == "isi"
    await page.keyboard.press("Tab")
    box = await _focused(page)
    assert box["tag"] == "INPUT" and box["id"] == "q"
    await page.keyboard.type("sejarah")
    await page.keyboard.press("Enter")
    await expect(page.locator("h1")).to_have_text("Hasil pencarian “sejarah”")
    for _ in range(80):
        await page.keyboard.press("Tab")
        focused = await _focused(page)
        assert focused["outline"] != "none", focused
        if focused["href"].startswith("/karya/"):
            break
    else:
        pytest.fail("no work link reached with the Tab key")
    await page.keyboard.press("Enter")
    await page.wait_for_url(re.compile(r"/karya/\d+$"))
    await expect(page.get_by_role("heading", name="Ketersediaan")).to_be_visible()


async def test_everything_works_with_javascript_disabled(
        browser: Browser, server: str, catalogue: Catalogue) -> None:
    page = await _page(browser, javascript=False)
    await page.goto(server + "/")
    await page.get_by_role("link", name=re.compile("Lihat koleksi lokal")).click()
    await expect(page.locator("main > p").first).to_contain_text("8 karya ditemukan")
    await page.get_by_label("Cari di katalog").fill("indonesia")
    await page.get_by_label("Cari di katalog").press("Enter")
    await page.get_by_label("Urutkan", exact=True).select_option("year")
    await page.get_by_role("button", name="Urutkan").click()
    await expect(page).to_have_url(re.compile(r"sort=year"))
    await page.get_by_role("link", name=re.compile("Berikutnya")).click()
    await expect(page).to_have_url(re.compile(r"page=2"))
    await page.goto(f"{server}/karya/{catalogue.merged_id}")
    await expect(page).to_have_url(f"{server}/karya/{catalogue.survivor_id}")
    await page.get_by_role("link", name="Tampilan MARC").click()
    await expect(page.get_by_role("cell", name="245")).to_be_visible()


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


async def test_text_has_at_least_aa_contrast_against_its_background(
        browser: Browser, server: str, catalogue: Catalogue) -> None:
    page = await _page(browser)
    checked = 0
    for path in ("/", "/cari?q=sejarah", f"/karya/{catalogue.survivor_id}"):
        await page.goto(server + path)
        pairs = await page.evaluate("""() => {
            const rgb = c => c.match(/\\d+/g).slice(0, 3).map(Number);
            const background = e => {
                for (; e; e = e.parentElement) {
                    const c = getComputedStyle(e).backgroundColor;
                    if (!c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return rgb(c);
                }
                return [255, 255, 255];
            };
            return [...document.querySelectorAll('main *, header *, footer *')]
                .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
                .map(e => [e.tagName, rgb(getComputedStyle(e).color), background(e)]);
        }""")
        for tag, fore, back in pairs:
            ratio = _contrast(tuple(fore), tuple(back))
            assert ratio >= 4.5, (path, tag, fore, back, ratio)
            checked += 1
    assert checked > 50
