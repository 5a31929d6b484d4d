"""marc21: MARCXML valid against MARC21slim, with an 852 per copy of each holding branch,
that reads back to the same BibRecord."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.union.feed.oai_client import NS, assert_valid
from tests.union.feed.sqlite_repository import load_bibs
from union.bib_record import Agent, BibRecord, Item
from union.feed.marcxml import marc21
from union.feed.records import Holding
from union.feed.xmltext import is_xml_safe
from union.normalize import bib_from_marc

STAMP = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
HOLDINGS = (
    Holding("KOTA", "Perpustakaan Kota Lubuklinggau", (
        Item(barcode="K-1", call_number="899.221 TOE b", location="Umum"),
        Item(barcode="K-2", call_number="899.221 TOE b"),
    )),
    Holding("DESA1", "Perpustakaan Kelurahan Tanah Periuk", ()),
)


@pytest.fixture(scope="session")
def every_loc_bib(shared: Path) -> list[BibRecord]:
    """Every record of the LoC file (2,800-odd Indonesian-language books)."""
    return load_bibs(shared, 100_000)


def _read_back(xml: str) -> BibRecord:
    wrapped = f'<collection xmlns="http://www.loc.gov/MARC21/slim">{xml}</collection>'
    (record,) = pymarc.parse_xml_to_array(BytesIO(wrapped.encode("utf-8")))
    return bib_from_marc(record)


def test_every_loc_record_is_valid_marcxml(every_loc_bib: list[BibRecord],
                                           oai_schema: etree.XMLSchema) -> None:
    assert len(every_loc_bib) > 2800
    for bib in every_loc_bib:
        assert_valid(oai_schema, marc21("w1", STAMP, bib, HOLDINGS))


def test_every_loc_record_reads_back_to_the_same_bib_record(
        every_loc_bib: list[BibRecord]) -> None:
    for bib in every_loc_bib:
        assert _read_back(marc21("w1", STAMP, bib)) == bib


def test_relator_roles_read_back(shared: Path) -> None:
    path = shared / "data/marc/marc4j/field700_4_test.mrc"
    with path.open("rb") as handle:
        bibs = [bib_from_marc(record) for record in pymarc.MARCReader(handle, to_unicode=True)]
    roles = {a.role for bib in bibs for a in bib.agents}
    assert {"interviewee", "compiler"} <= roles
    for bib in bibs:
        assert _read_back(marc21("w1", STAMP, bib)).agents == bib.agents


def test_one_852_per_copy_and_per_branch_without_copies(oai_schema: etree.XMLSchema) -> None:
    bib = BibRecord(title="Bumi manusia")
    root = assert_valid(oai_schema, marc21("w1", STAMP, bib, HOLDINGS))
    fields_852 = [{s.get("code"): s.text for s in f}
                  for f in root.iterfind("marc:datafield[@tag='852']", NS)]
    assert fields_852 == [
        {"a": "KOTA", "b": "Perpustakaan Kota Lubuklinggau", "c": "Umum",
         "h": "899.221 TOE b", "p": "K-1"},
        {"a": "KOTA", "b": "Perpustakaan Kota Lubuklinggau", "h": "899.221 TOE b", "p": "K-2"},
        {"a": "DESA1", "b": "Perpustakaan Kelurahan Tanah Periuk"},
    ]


def test_control_fields_carry_the_work_id_and_datestamp(oai_schema: etree.XMLSchema) -> None:
    bib = BibRecord(title="Bumi manusia", year=1980, languages=("ind",))
    root = assert_valid(oai_schema, marc21("w00042", STAMP, bib))
    control = {c.get("tag"): c.text for c in root.iterfind("marc:controlfield", NS)}
    assert control["001"] == "w00042"
    assert control["005"] == "20240506070809.0"
    assert len(control["008"]) == 40
    assert control["008"][7:11] == "1980" and control["008"][35:38] == "ind"


@pytest.mark.parametrize("format", ["book", "ebook", "serial", "map", "score", "sound",
                                    "video", "visual", "computer_file", "kit",
                                    "manuscript", "mixed"])
def test_every_format_reads_back(format: str) -> None:
    bib = BibRecord(title="x", format=format)
    assert _read_back(marc21("w1", STAMP, bib)).format == format


def test_fields_are_in_tag_order() -> None:
    bib = BibRecord(
        title="Judul", subtitle="anak judul", responsibility="oleh A", edition="Cet. 2",
        agents=(Agent("Toer, Pramoedya Ananta", main=True),
                Agent("Lontar Foundation", kind="body", role="publisher")),
        isbns=("9789799731234",), lccns=("00271626",), oclc_numbers=("123",),
        national_numbers=("Ind:123",), classifications=("ddc:899.221",),
        subjects=("Novel -- Indonesia",), series=("Seri sastra ; 3",), notes=("Catatan.",),
        publisher="Hasta Mitra", place="Jakarta", date_text="1980", year=1980,
        extent="350 hlm.",
        languages=("ind", "eng"), original_languages=("jav",),
    )
    root = etree.fromstring(marc21("w1", STAMP, bib, HOLDINGS).encode())
    tags = [f.get("tag") for f in root if f.get("tag")]
    assert tags == sorted(tags)
    assert {"001", "005", "008", "010", "016", "020", "035", "041", "082", "100", "245",
            "250", "264", "300", "490", "500", "650", "710", "852"} <= set(tags)
    assert _read_back(marc21("w1", STAMP, bib)) == bib


TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=30).filter(
    lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(title=TEXT, subject=TEXT, note=TEXT, branch=TEXT, barcode=TEXT)
def test_any_text_gives_valid_marcxml(oai_schema: etree.XMLSchema, title: str, subject: str,
                                      note: str, branch: str, barcode: str) -> None:
    bib = BibRecord(title=title, subjects=(subject,), notes=(note,),
                    agents=(Agent(name=note, main=True),))
    holdings = (Holding("KOTA", branch, (Item(barcode=barcode),)),)
    root = assert_valid(oai_schema, marc21("w1", STAMP, bib, holdings))
    title_a = root.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']",
                            namespaces=NS)
    assert title_a == "".join(c for c in title if is_xml_safe(c))


def test_classification_schemes_go_to_their_fields(oai_schema: etree.XMLSchema) -> None:
    bib = BibRecord(title="x", classifications=("udc:821", "lcc:PL5089", "ddc:899.221",
                                                "ncc:12", "bare"))
    root = assert_valid(oai_schema, marc21("w1", STAMP, bib))
    found = [(f.get("tag"), [(s.get("code"), s.text) for s in f])
             for f in root.iterfind("marc:datafield", NS)]
    assert found[:5] == [
        ("050", [("a", "PL5089")]), ("080", [("a", "821")]), ("082", [("a", "899.221")]),
        ("084", [("a", "12"), ("2", "ncc")]), ("084", [("a", "bare")]),
    ]
