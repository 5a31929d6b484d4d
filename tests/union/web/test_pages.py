"""The patron pages served over the harvested demo catalogue, read as HTML."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from tests.union.web.support import (
    PAGE_LIMIT,
    Catalogue,
    display,
    fetch,
    matched_work,
    single_record_work,
    works_per_branch,
)

# --------------------------------------------------------------------------- home


async def test_home_has_a_labelled_search_box_sending_to_the_results(server: str) -> None:
    page = await fetch(server, "/")
    assert page.status == 200
    form = page.tree.xpath("//main//form[@role='search']")[0]
    assert form.get("action") == "/cari" and form.get("method") == "get"
    box = form.xpath(".//input[@name='q']")[0]
    assert form.xpath(f".//label[@for='{box.get('id')}']")


async def test_home_links_the_local_collection_with_its_size(server: str) -> None:
    page = await fetch(server, "/")
    link = page.tree.xpath("//a[@href='/cari?local=true']")[0]
    assert "(8)" in link.text_content()


async def test_home_lists_every_branch_by_its_configured_name_and_works_held(
        server: str, catalogue: Catalogue) -> None:
    page = await fetch(server, "/")
    counts = works_per_branch(catalogue)
    for branch in catalogue.federation.branches:
        link = page.tree.xpath(f"//a[@href='/cari?branch={branch.code}']")[0]
        assert link.text_content() == branch.name
        assert link.getnext().text_content() == f"({counts[branch.code]} karya)"


# --------------------------------------------------------------------------- results


async def test_results_show_title_authors_year_and_where_a_copy_is_available(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/cari?q=judul:\"{record['title']}\"")
    assert page.status == 200
    hit = page.tree.xpath(f"//ol[@class='hits']/li[a[@href='/karya/{catalogue.survivor_id}']]")[0]
    text = " ".join(hit.text_content().split())
    assert record["title"] in text
    assert str(record["year"]) in text
    assert record["agents"][0]["name"] in text
    names = {b.code: b.name for b in catalogue.federation.branches}
    for code in record["branches"]:
        assert names[code] in text


async def test_the_local_collection_holds_the_eight_local_history_works(server: str) -> None:
    page = await fetch(server, "/cari?local=true")
    assert page.texts("//main/p[1]")[0].startswith("8 karya ditemukan")
    assert len(page.tree.xpath("//ol[@class='hits']/li")) == 8


async def test_a_facet_value_is_a_link_that_narrows_the_results_to_its_count(
        server: str) -> None:
    everything = await fetch(server, "/cari")
    link = everything.tree.xpath("//aside//a[contains(@href, 'branch=DESA3')]")[0]
    count = int(link.getnext().text_content().strip("()"))
    narrowed = await fetch(server, link.get("href"))
    assert narrowed.texts("//main/p[1]")[0].startswith(f"{count} karya ditemukan")
    chosen = narrowed.tree.xpath("//aside//a[@aria-current='true']")[0]
    assert "branch" not in dict(parse_qsl(urlsplit(chosen.get("href")).query))


async def test_an_active_filter_can_be_removed(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarah&branch=KOTA")
    removal = page.tree.xpath("//ul[@aria-label='Saringan aktif']//a")[0]
    assert parse_qsl(urlsplit(removal.get("href")).query) == [("q", "sejarah")]


async def test_results_page_through_with_next_and_previous_links(server: str) -> None:
    first = await fetch(server, "/cari")
    assert not first.tree.xpath("//a[@rel='prev']")
    following = first.tree.xpath("//a[@rel='next']")[0].get("href")
    second = await fetch(server, following)
    assert second.tree.xpath("//ol[@class='hits']")[0].get("start") == "21"
    first_ids = set(first.tree.xpath("//ol[@class='hits']/li/a/@href"))
    second_ids = set(second.tree.xpath("//ol[@class='hits']/li/a/@href"))
    assert len(second_ids) == 20 and not first_ids & second_ids
    assert second.tree.xpath("//a[@rel='prev']")


async def test_sorting_by_year_puts_the_newest_first(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarah&sort=year")
    years = [int(y) for y in re.findall(r"· (\d{4})\b", " ".join(
        page.texts("//ol[@class='hits']/li")))]
    assert len(years) > 5 and years == sorted(years, reverse=True)


async def test_a_bad_parameter_is_explained_in_the_page_language(server: str) -> None:
    page = await fetch(server, "/cari?page=kosong")
    assert page.status == 400
    assert "harus bilangan bulat" in page.texts("//*[@role='alert']")[0]
    english = await fetch(server, "/cari?page=kosong&lang=en")
    assert "must be a whole number" in english.texts("//*[@role='alert']")[0]


# --------------------------------------------------------------------------- work


async def test_work_page_shows_holdings_and_availability_per_branch_by_name(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/karya/{catalogue.survivor_id}")
    assert page.status == 200
    assert page.texts("//h1")[0].startswith(record["title"])
    rows = {row.xpath("string(th)"): " ".join(row.xpath("string(td[1])").split())
            for row in page.tree.xpath("//section[@aria-labelledby='ketersediaan']//tbody/tr")}
    names = {b.code: b.name for b in catalogue.federation.branches}
    expected = {}
    for holding in record["holdings"]:
        copies = len(holding["items"]) or 1
        expected[names[holding["branch"]]] = f"{copies} dari {copies}"
    assert rows == expected


async def test_work_page_says_why_its_records_were_merged(
        server: str, catalogue: Catalogue) -> None:
    page = await fetch(server, f"/karya/{catalogue.survivor_id}")
    evidence = " ".join(page.texts("//section[@aria-labelledby='gabungan']"))
    assert "Rekaman dari 2 katalog digabung" in evidence
    assert "Staf memutuskan" in evidence
    names = [b.name for b in catalogue.federation.branches if b.code in ("KOTA", "DESA2")]
    assert all(name in evidence for name in names)


async def test_work_page_names_the_agreeing_evidence_in_the_page_language(
        server: str, catalogue: Catalogue) -> None:
    work = matched_work(catalogue)
    section = "//section[@aria-labelledby='gabungan']"
    indonesian = " ".join((await fetch(server, f"/karya/{work}")).texts(section))
    english = " ".join((await fetch(server, f"/karya/{work}?lang=en")).texts(section))
    assert "yang sama: " in indonesian and "Judul" in indonesian
    assert "agreeing: " in english and "title" in english
    assert "title" not in indonesian and "Judul" not in english


async def test_a_one_record_work_says_nothing_was_merged(
        server: str, catalogue: Catalogue) -> None:
    page = await fetch(server, f"/karya/{single_record_work(catalogue)}")
    assert "Satu rekaman dari satu katalog" in " ".join(
        page.texts("//section[@aria-labelledby='gabungan']"))


async def test_work_page_links_the_marc_view_and_the_three_exports(
        server: str, catalogue: Catalogue) -> None:
    page = await fetch(server, f"/karya/{catalogue.survivor_id}")
    links = set(page.tree.xpath("//section[@aria-labelledby='unduh']//a/@href"))
    base = f"/karya/{catalogue.survivor_id}"
    assert links == {f"{base}/marc", f"{base}/ekspor.mrc", f"{base}/ekspor.xml",
                     f"{base}/ekspor.ris"}


async def test_a_merged_away_id_redirects_to_its_survivor(
        server: str, catalogue: Catalogue) -> None:
    for suffix in ("", "/marc", "/ekspor.ris"):
        page = await fetch(server, f"/karya/{catalogue.merged_id}{suffix}",
                           allow_redirects=False)
        assert page.status == 301
        assert page.headers["Location"] == f"/karya/{catalogue.survivor_id}{suffix}"


async def test_the_marc_view_lists_the_fields_with_the_title_in_245(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/marc")
    rows = {row.xpath("string(td[1])"): row.xpath("string(td[3])")
            for row in page.tree.xpath("//tbody/tr")}
    assert rows["001"] == str(catalogue.survivor_id)
    assert f"$a {record['title']}" in rows["245"]
    assert rows["852"].startswith("$a ")


# --------------------------------------------------------------------------- not found


async def test_an_unknown_work_gets_a_friendly_page_with_a_way_back(server: str) -> None:
    for path in ("/karya/999999999", "/karya/bukan-nomor", "/karya/0/marc"):
        page = await fetch(server, path)
        assert page.status == 404
        assert page.texts("//h1") == ["Halaman tidak ditemukan"]
        assert page.tree.xpath("//main//a[@href='/']")


async def test_an_unknown_address_gets_the_friendly_page_only_for_people(server: str) -> None:
    page = await fetch(server, "/tidak-ada")
    assert page.status == 404 and page.texts("//h1") == ["Halaman tidak ditemukan"]
    machine = await fetch(server, "/api/tidak-ada", accept="application/json")
    assert machine.status == 404 and b"<html" not in machine.body


# --------------------------------------------------------------------------- language


async def test_pages_are_indonesian_by_default(server: str) -> None:
    page = await fetch(server, "/")
    assert page.tree.get("lang") == "id"
    assert page.headers["Content-Language"] == "id"
    assert page.headers["Vary"] == "Cookie"
    assert page.tree.xpath("//nav[@class='lang']/a[@hreflang='en']")


async def test_lang_en_switches_to_english_and_is_remembered_in_a_cookie(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarah&lang=en")
    assert page.tree.get("lang") == "en"
    assert page.texts("//h1")[0].startswith("Search results for")
    assert "lang=en" in page.headers["Set-Cookie"]
    later = await fetch(server, "/", cookies={"lang": "en"})
    assert later.tree.get("lang") == "en"
    assert later.texts("//h1") == ["Search every library's books"]


async def test_the_language_switch_keeps_the_search(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarah&branch=KOTA")
    switch = page.tree.xpath("//nav[@class='lang']/a")[0].get("href")
    assert sorted(parse_qsl(urlsplit(switch).query)) == [
        ("branch", "KOTA"), ("lang", "en"), ("q", "sejarah")]


# --------------------------------------------------------------------------- static, size


async def test_the_stylesheet_is_cached_for_ever_under_its_digest(server: str) -> None:
    home = await fetch(server, "/")
    href = home.tree.xpath("//link[@rel='stylesheet']/@href")[0]
    sheet = await fetch(server, href)
    assert sheet.status == 200 and sheet.headers["Content-Type"].startswith("text/css")
    assert sheet.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    again = await fetch(server, href, headers={"If-None-Match": sheet.headers["ETag"]})
    assert again.status == 304
    stale = await fetch(server, "/static/style.css?v=old")
    assert stale.headers["Cache-Control"] == "public, max-age=3600"


async def test_an_unknown_static_file_is_not_found(server: str) -> None:
    assert (await fetch(server, "/static/..%2Fpages.py")).status == 404
    assert (await fetch(server, "/static/nope.css")).status == 404


async def test_every_page_with_its_stylesheet_weighs_under_100_kb(
        server: str, catalogue: Catalogue) -> None:
    home = await fetch(server, "/")
    sheet = await fetch(server, home.tree.xpath("//link[@rel='stylesheet']/@href")[0])
    work = f"/karya/{catalogue.survivor_id}"
    for path in ("/", "/cari", "/cari?q=sejarah", "/cari?local=true", "/cari?q=a&lang=en",
                 work, f"{work}/marc", "/tidak-ada"):
        page = await fetch(server, path)
        assert len(page.body) + len(sheet.body) < PAGE_LIMIT, path
        assert not page.tree.xpath("//script"), path


async def test_a_misspelt_query_shows_the_words_searched_instead(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarh")
    spelt = await fetch(server, "/cari?q=sejarah")
    assert page.texts("//main/p[1]") == spelt.texts("//main/p[1]")
    assert "sejarah" in page.texts("//main/p[2]")[0]


async def test_the_words_that_matched_are_marked_in_result_titles(server: str) -> None:
    page = await fetch(server, "/cari?q=sejarah")
    marked = {text.casefold() for text in page.texts("//ol[@class='hits']//a/mark")}
    assert marked == {"sejarah"}
