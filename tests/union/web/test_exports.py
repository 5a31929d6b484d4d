"""A work's exports from its page: MARCXML valid against MARC21slim, ISO 2709 that pymarc
reads back, RIS that a reference manager's reader (rispy) reads back."""

from __future__ import annotations

import io

import pymarc
import rispy
from lxml import etree

from tests.support.paths import SHARED
from tests.union.web.support import Catalogue, display, fetch
from union.store.engine import Store
from union.store.models import WorkRow

MARC21_SLIM = SHARED / "schemas" / "MARC21slim.xsd"
MARC_NS = {"m": "http://www.loc.gov/MARC21/slim"}


async def test_marcxml_export_is_valid_against_marc21slim(
        server: str, catalogue: Catalogue) -> None:
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.xml", accept="*/*")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("application/marcxml+xml")
    schema = etree.XMLSchema(etree.parse(str(MARC21_SLIM)))
    document = etree.fromstring(page.body)
    schema.assertValid(document)
    assert document.xpath("string(m:controlfield[@tag='001'])", namespaces=MARC_NS) == str(
        catalogue.survivor_id)


async def test_marcxml_export_has_an_852_for_every_holding_branch(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.xml", accept="*/*")
    document = etree.fromstring(page.body)
    codes = document.xpath("//m:datafield[@tag='852']/m:subfield[@code='a']/text()",
                           namespaces=MARC_NS)
    assert set(codes) == set(record["branches"]) and len(record["branches"]) == 2


async def test_iso2709_export_reads_back_with_pymarc(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.mrc", accept="*/*")
    assert page.status == 200
    assert page.headers["Content-Disposition"] == (
        f'attachment; filename="karya-{catalogue.survivor_id}.mrc"')
    reader = pymarc.MARCReader(io.BytesIO(page.body), to_unicode=True, force_utf8=True)
    records = list(reader)
    assert len(records) == 1 and records[0] is not None
    marc = records[0]
    assert marc["001"].data == str(catalogue.survivor_id)
    assert marc["245"]["a"].rstrip(" :/") == record["title"]
    assert {f["a"] for f in marc.get_fields("852")} == set(record["branches"])
    assert marc.leader[9] == "a"  # UTF-8


async def test_marc_exports_date_the_record_when_the_work_last_changed(
        server: str, catalogue: Catalogue) -> None:
    store = Store(catalogue.federation.union.database)
    try:
        with store.read() as session:
            changed = session.get(WorkRow, catalogue.survivor_id).datestamp
    finally:
        store.dispose()
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.mrc", accept="*/*")
    marc = next(iter(pymarc.MARCReader(io.BytesIO(page.body), to_unicode=True, force_utf8=True)))
    xml = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.xml", accept="*/*")
    stamp = changed.strftime("%Y%m%d%H%M%S.0")
    assert marc["005"].data == stamp
    assert etree.fromstring(xml.body).xpath(
        "string(m:controlfield[@tag='005'])", namespaces=MARC_NS) == stamp


async def test_ris_export_names_the_work_and_links_back_to_its_page(
        server: str, catalogue: Catalogue) -> None:
    record = display(catalogue, catalogue.survivor_id)
    page = await fetch(server, f"/karya/{catalogue.survivor_id}/ekspor.ris", accept="*/*")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("application/x-research-info-systems")
    assert page.text.startswith("TY  - BOOK")
    [entry] = rispy.loads(page.text)
    assert entry["title"].startswith(record["title"])
    assert entry["authors"] == [a["name"] for a in record["agents"]]
    assert entry["year"] == str(record["year"])
    assert entry["publisher"] == record["publisher"]
    assert entry["keywords"] == record["subjects"]
    base = catalogue.federation.union.base_url
    assert entry["urls"] == [f"{base}/karya/{catalogue.survivor_id}"]
    assert record["isbns"][0] in entry["issn"]


async def test_exports_of_an_unknown_work_are_not_found(server: str) -> None:
    for kind in ("mrc", "xml", "ris"):
        assert (await fetch(server, f"/karya/999999999/ekspor.{kind}")).status == 404
    assert (await fetch(server, "/karya/1/ekspor.pdf")).status == 404
