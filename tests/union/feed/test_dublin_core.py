"""oai_dc: only the fifteen Dublin Core elements, valid against oai_dc.xsd."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.union.feed.oai_client import NS, assert_valid
from tests.union.feed.sqlite_repository import holdings_for, load_bibs
from union.bib_record import Agent, BibRecord, Item
from union.feed.dublin_core import ELEMENTS, oai_dc
from union.feed.records import Holding
from union.feed.xmltext import is_xml_safe

DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(scope="session")
def loc_bibs(shared: Path) -> list[BibRecord]:
    """Every record of the LoC file."""
    return load_bibs(shared, 100_000)


def _values(root: etree._Element, element: str) -> list[str]:
    return [e.text for e in root.iterfind(f"dc:{element}", NS)]


def test_every_loc_record_is_valid_simple_dublin_core(loc_bibs: list[BibRecord],
                                                      oai_schema: etree.XMLSchema) -> None:
    assert len(ELEMENTS) == 15
    allowed = {DC + name for name in ELEMENTS}
    for index, bib in enumerate(loc_bibs):
        root = assert_valid(oai_schema, oai_dc(bib, holdings_for(index, bib)))
        assert {child.tag for child in root} <= allowed
        assert _values(root, "title")[0].startswith(bib.title)


def test_the_mapping() -> None:
    bib = BibRecord(
        title="Bumi manusia", subtitle="sebuah roman", part_number="Jilid 1",
        responsibility="Pramoedya Ananta Toer", edition="Cet. 2",
        agents=(Agent("Toer, Pramoedya Ananta", main=True),
                Agent("Lane, Max", role="translator")),
        publisher="Hasta Mitra", year=1980, date_text="1980", isbns=("9789799731234",),
        issns=("1234-5679",), lccns=("80943254",), oclc_numbers=("7170519",),
        languages=("ind",), subjects=("Indonesian fiction",), series=("Tetralogi Buru ; 1",),
        extent="xi, 351 hlm.", dimensions="21 cm", notes=("Roman.",),
        classifications=("ddc:899.2213",), format="book",
    )
    holdings = (Holding("KOTA", "Perpustakaan Kota", (Item(call_number="899.221 TOE b"),
                                                      Item(call_number="899.221 TOE b"))),)
    root = etree.fromstring(oai_dc(bib, holdings).encode())
    assert _values(root, "title") == ["Bumi manusia : sebuah roman. Jilid 1"]
    assert _values(root, "creator") == ["Toer, Pramoedya Ananta"]
    assert _values(root, "contributor") == ["Lane, Max"]
    assert _values(root, "subject") == ["Indonesian fiction", "ddc:899.2213"]
    assert _values(root, "description") == [
        "Pramoedya Ananta Toer", "Cet. 2", "Roman.",
        "Held by Perpustakaan Kota (KOTA): 2 copies, call number 899.221 TOE b"]
    assert _values(root, "publisher") == ["Hasta Mitra"]
    assert _values(root, "date") == ["1980"]
    assert _values(root, "type") == ["Text", "book"]
    assert _values(root, "format") == ["xi, 351 hlm.", "21 cm"]
    assert _values(root, "identifier") == ["urn:isbn:9789799731234", "urn:issn:1234-5679",
                                           "info:lccn/80943254", "(OCoLC)7170519"]
    assert _values(root, "language") == ["ind"]
    assert _values(root, "relation") == ["Tetralogi Buru ; 1"]


TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(title=TEXT, name=TEXT, note=TEXT, branch=TEXT)
def test_any_text_gives_valid_dublin_core(oai_schema: etree.XMLSchema, title: str, name: str,
                                          note: str, branch: str) -> None:
    bib = BibRecord(title=title, agents=(Agent(name),), notes=(note,), date_text=note)
    root = assert_valid(oai_schema, oai_dc(bib, (Holding("X", branch),)))
    assert _values(root, "title")[0] == "".join(c for c in title if is_xml_safe(c)) or (
        not any(is_xml_safe(c) for c in title))
