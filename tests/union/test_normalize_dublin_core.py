"""bib_from_oai_dc on SLiMS's real oai_dc output (shared/fixtures/slims) and on standard
oai_dc. SLiMS ships two providers: oai.php (DCMI Terms in the dc namespace, item codes in
dc:hasPart) and oai2.php (dc:identifier_isbn, place in dc:coverage, series in dc:source)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from union.bib_record import Agent, Item
from union.normalize import NormalizationError, bib_from_oai_dc, bib_from_payload
from union.normalize.dublin_core import SLIMS, STANDARD, collect_values, detect_profile

OAI = "{http://www.openarchives.org/OAI/2.0/}"
OAI_DC = "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"


def slims_records(shared: Path, name: str) -> dict[str, bytes]:
    """Each record's oai_dc:dc element as stored payload bytes, by OAI identifier."""
    tree = etree.parse(str(shared / "fixtures" / "slims" / name))
    out = {}
    for record in tree.iter(f"{OAI}record"):
        identifier = record.findtext(f"{OAI}header/{OAI}identifier")
        out[identifier] = etree.tostring(record.find(f".//{OAI_DC}"))
    return out


@pytest.fixture(scope="module")
def oai1(shared: Path) -> dict[str, bytes]:
    return slims_records(shared, "oai_verb_ListRecords_metadataPrefix_oai_dc.xml")


@pytest.fixture(scope="module")
def oai2(shared: Path) -> dict[str, bytes]:
    return slims_records(shared, "oai2_verb_ListRecords_metadataPrefix_oai_dc.xml")


def dc(*elements: str) -> bytes:
    return (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">' + "".join(elements) + "</oai_dc:dc>"
    ).encode()


def test_every_slims_record_normalizes(oai1: dict[str, bytes], oai2: dict[str, bytes]) -> None:
    bibs = [bib_from_oai_dc(x) for x in [*oai1.values(), *oai2.values()]]
    assert len(bibs) == 30
    assert all(b.title and b.year and b.languages == ("eng",) for b in bibs)


def test_oai_php_record(oai1: dict[str, bytes]) -> None:
    bib = bib_from_oai_dc(oai1["oai:slims/15"])
    assert bib.title == "Lords of poverty"
    assert bib.subtitle == "the power, prestige, and corruption of the international aid business"
    assert bib.agents == (Agent(name="Hancock, Graham", main=True),)
    assert (bib.publisher, bib.year) == ("Atlantic Monthly Press", 1994)
    assert bib.isbns == ("9780871134691",)
    assert bib.languages == ("eng",)  # "English"
    assert bib.subjects == ("Poverty", "Corruption")
    assert bib.classifications == ("ddc:338.91091724",)  # "338.9/1/091724 20"
    assert (bib.extent, bib.dimensions) == ("xvi, 234 p.", "22 cm")
    assert bib.format == "book"


def test_oai_php_item_codes_become_items_with_the_call_number(oai1: dict[str, bytes]) -> None:
    assert bib_from_oai_dc(oai1["oai:slims/15"]).items == (
        Item(barcode="B00003", call_number="338.9 Han l"),
    )


def test_oai_php_record_with_two_copies(oai1: dict[str, bytes]) -> None:
    bib = bib_from_oai_dc(oai1["oai:slims/2"])
    assert [i.barcode for i in bib.items] == ["B00009", "B00010"]
    assert bib.edition == "Fifth Edition"  # dc:hasVersion


def test_oai_php_series_from_is_part_of(oai1: dict[str, bytes]) -> None:
    assert bib_from_oai_dc(oai1["oai:slims/1"]).series == ("For dummies",)


def test_slims_doubly_misdecoded_text_is_repaired(oai1: dict[str, bytes]) -> None:
    assert bib_from_oai_dc(oai1["oai:slims/6"]).series == ("Developer’s library",)


def test_isbn_from_slims_identifier_isbn(oai2: dict[str, bytes]) -> None:
    bib = bib_from_oai_dc(oai2["oai:127.0.0.1:8081:slims-4"])
    assert bib.isbns == ("9780596001087",)  # dc:identifier_isbn 0-596-00108-8
    assert bib.invalid_isbns == ()


def test_oai2_php_place_and_series(oai2: dict[str, bytes]) -> None:
    bib = bib_from_oai_dc(oai2["oai:127.0.0.1:8081:slims-1"])
    assert bib.place == "Hoboken, NJ"  # dc:coverage
    assert bib.series == ("For dummies",)  # dc:source
    assert bib.languages == ("eng",)  # "en"
    assert (bib.extent, bib.dimensions) == ("xiv, 392 p.", "24 cm")  # dc:format
    assert bib.classifications == ("ddc:005.133",)
    assert bib.items == ()  # oai2.php publishes no item codes


def test_title_colon_without_space_before_splits_subtitle(oai2: dict[str, bytes]) -> None:
    bib = bib_from_oai_dc(oai2["oai:127.0.0.1:8081:slims-4"])
    assert bib.title == "Cathedral and the Bazaar"
    assert bib.subtitle == "Musings on Linux and Open Source by an Accidental Revolutionary"


def test_slims_profile_is_detected(oai1: dict[str, bytes], oai2: dict[str, bytes]) -> None:
    for payload in (oai1["oai:slims/1"], oai2["oai:127.0.0.1:8081:slims-1"]):
        values = collect_values(etree.fromstring(payload))
        assert detect_profile(values) == SLIMS


def test_indonesian_language_names_are_mapped() -> None:
    bib = bib_from_oai_dc(dc("<dc:title>Bumi manusia</dc:title>",
                             "<dc:language>Indonesia</dc:language>"))
    assert bib.languages == ("ind",)
    bib = bib_from_oai_dc(dc("<dc:title>Ronggeng Dukuh Paruk</dc:title>",
                             "<dc:language>Bahasa Indonesia; Inggris</dc:language>"))
    assert bib.languages == ("ind", "eng")


def test_standard_profile_reads_urn_identifiers() -> None:
    # The form the harvester's SLiMS repair stores: ISBN/ISSN marked as URNs.
    bib = bib_from_oai_dc(dc("<dc:title>PHP 5 for dummies</dc:title>",
                             "<dc:identifier>URN:ISBN:0764541668</dc:identifier>",
                             "<dc:identifier>URN:ISBN:0764541669</dc:identifier>",
                             "<dc:identifier>URN:ISSN:0378-5955</dc:identifier>"))
    assert bib.isbns == ("9780764541667",)
    assert bib.invalid_isbns == ("0764541669",)
    assert bib.issns == ("0378-5955",)


def test_standard_profile_does_not_read_coverage_as_place() -> None:
    xml = dc("<dc:title>Sejarah Aceh</dc:title>", "<dc:coverage>Aceh</dc:coverage>")
    assert detect_profile(collect_values(etree.fromstring(xml))) == STANDARD
    assert bib_from_oai_dc(xml).place is None
    assert bib_from_oai_dc(xml, profile=SLIMS).place == "Aceh"


def test_creator_kind_and_bracketed_role() -> None:
    bib = bib_from_oai_dc(dc("<dc:title>Sampar</dc:title>",
                             "<dc:creator>Badan Pusat Statistik</dc:creator>",
                             "<dc:contributor>Nh. Dini (penerjemah)</dc:contributor>"))
    assert bib.agents == (
        Agent(name="Badan Pusat Statistik", kind="body", role="author", main=True),
        Agent(name="Nh. Dini", kind="person", role="translator"),
    )


def test_dublin_core_type_sets_the_format() -> None:
    bib = bib_from_oai_dc(dc("<dc:title>Peta Jawa Barat</dc:title>", "<dc:type>Peta</dc:type>"))
    assert bib.format == "map"


def test_record_without_title_is_refused() -> None:
    with pytest.raises(NormalizationError, match="no title"):
        bib_from_oai_dc(dc("<dc:creator>Toer, Pramoedya Ananta</dc:creator>"))


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(NormalizationError, match="malformed XML"):
        bib_from_oai_dc(b"<oai_dc:dc><dc:title>")


def test_xml_without_dublin_core_is_refused() -> None:
    with pytest.raises(NormalizationError, match="no oai_dc:dc"):
        bib_from_oai_dc(b"<record><title>x</title></record>")


def test_external_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("KATA-SANDI")
    xml = (
        f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>Judul &x;</dc:title></oai_dc:dc>"
    ).encode()
    bib = bib_from_oai_dc(xml)
    assert "KATA-SANDI" not in repr(bib)
    assert bib.title == "Judul"


def test_unknown_profile_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown Dublin Core profile"):
        bib_from_oai_dc(dc("<dc:title>x</dc:title>"), profile="inlislite")


def test_oai_dc_payload_is_dispatched(oai1: dict[str, bytes]) -> None:
    payload = oai1["oai:slims/15"]
    assert bib_from_payload("oai_dc", payload) == bib_from_oai_dc(payload)
