"""bib_from_payload: stored ISO 2709 (UTF-8 and MARC-8) and MARCXML payloads normalize
exactly as the parsed record does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pymarc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymarc import Field, Indicators, Leader, Record, Subfield

from harvesters.records import ISO2709, MARCXML, OAI_DC
from union.bib_record import BibRecord
from union.normalize import NormalizationError, bib_from_marc, bib_from_payload

MARC = Path("data/marc")
LOC = MARC / "loc-booksall-2016-part01/BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"


def iso_records(path: Path) -> list[bytes]:
    """The records of an ISO 2709 file as separate payloads."""
    return [chunk + b"\x1d" for chunk in path.read_bytes().split(b"\x1d") if chunk.strip()]


@pytest.fixture(scope="module")
def loc_records(shared: Path) -> list[pymarc.Record]:
    with (shared / LOC).open("rb") as handle:
        return list(pymarc.MARCReader(handle))


def test_iso2709_payload_equals_the_parsed_record(shared: Path,
                                                  loc_records: list[pymarc.Record]) -> None:
    payloads = iso_records(shared / LOC)
    assert len(payloads) == len(loc_records) == 2828
    for payload, record in zip(payloads, loc_records, strict=True):
        assert bib_from_payload(ISO2709, payload) == bib_from_marc(record)


def test_marc8_payload_normalizes_like_its_utf8_twin(shared: Path) -> None:
    # marc4j's brkrtest.mrc (leader/09 blank, MARC-8, ANSEL diacritics) and its UTF-8 copy.
    marc8 = iso_records(shared / MARC / "marc4j/brkrtest.mrc")
    utf8 = iso_records(shared / MARC / "marc4j/brkrtest_UTF8.mrc")
    assert [p[9:10] for p in marc8] == [b" "] * 8
    for left, right in zip(marc8, utf8, strict=True):
        assert bib_from_payload(ISO2709, left) == bib_from_payload(ISO2709, right)


def test_marc8_diacritics_are_decoded_and_composed(shared: Path) -> None:
    bib = bib_from_payload(ISO2709, iso_records(shared / MARC / "marc4j/brkrtest.mrc")[1])
    assert bib.notes[:2] == ("This is a test of diacritics like the uppercase Polish L in Łódź",
                             "the uppercase Scandinavia O in Øst")


def test_marcxml_payload_equals_the_parsed_record(loc_records: list[pymarc.Record]) -> None:
    for record in loc_records[:200]:
        payload = pymarc.record_to_xml(record, namespace=True)
        assert bib_from_payload(MARCXML, payload) == bib_from_marc(record)


def test_marcxml_without_namespace_is_read(shared: Path) -> None:
    path = shared / MARC / "NatLibFi-RecordManager/alma.xml"
    assert b"xmlns" not in path.read_bytes()
    expected = bib_from_marc(pymarc.parse_xml_to_array(str(path))[0])
    assert bib_from_payload(MARCXML, path.read_bytes()) == expected


def test_marcxml_collection_of_one_record_is_read(shared: Path) -> None:
    path = shared / MARC / "NatLibFi-RecordManager/marc-broken.xml"
    expected = bib_from_marc(pymarc.parse_xml_to_array(str(path))[0])
    assert bib_from_payload(MARCXML, path.read_bytes()) == expected


def test_koha_marcxml_with_oai_header_children_is_read(shared: Path) -> None:
    path = shared / MARC / "marc4j/1474920681_KOHA_LFL_5.xml"
    assert bib_from_payload(MARCXML, path.read_bytes()).isbns == ("9780851705774",)


def test_marcxml_collection_of_several_records_is_refused(shared: Path) -> None:
    payload = (shared / MARC / "marc4j/chabon.xml").read_bytes()
    with pytest.raises(NormalizationError, match="expected one MARCXML record, found 2"):
        bib_from_payload(MARCXML, payload)


def test_marcxml_without_leader_is_refused(shared: Path) -> None:
    payload = shared / MARC / "perl4lib-marc-perl/marc-xml/t/empty-record.xml"
    with pytest.raises(NormalizationError, match="no leader"):
        bib_from_payload(MARCXML, payload.read_bytes())


def test_broken_iso2709_records_are_refused_as_the_harvester_refuses_them(
    shared: Path,
) -> None:
    # pymarc's bad_records.mrc: six are repairable, three (a non-ASCII directory, no
    # fields, truncated) are not, exactly as the MARC file harvester reads them.
    refused = 0
    for payload in iso_records(shared / MARC / "pymarc-5.4.0-sdist-test/bad_records.mrc"):
        try:
            bib_from_payload(ISO2709, payload)
        except NormalizationError as exc:
            assert exc.reason
            refused += 1
    assert refused == 3


def test_empty_payloads_are_refused() -> None:
    for fmt in (ISO2709, MARCXML, OAI_DC):
        with pytest.raises(NormalizationError):
            bib_from_payload(fmt, b"")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(NormalizationError, match="unknown payload format"):
        bib_from_payload("unimarc", b"x")


# Subfield text: any printable text, but never ISO 2709's own delimiters.
text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Cn"), blacklist_characters="\x1d\x1e\x1f"
    ),
    max_size=40,
)
isbnish = st.text(alphabet="0123456789X- ", min_size=8, max_size=17)


@st.composite
def marc_records(draw: st.DrawFn) -> Record:
    record = Record(leader=Leader("00000nam a2200000 a 4500"))
    record.add_field(Field("008", data="000712s1998    io            000 0 ind  "))
    for tag, codes in (("020", "az"), ("100", "ade"), ("245", "abcnp"), ("250", "a"),
                       ("260", "abc"), ("300", "ac"), ("490", "av"), ("650", "axyz"),
                       ("653", "aa"), ("700", "ae4"), ("952", "abop17q")):
        if draw(st.booleans()):
            values = [draw(isbnish if tag == "020" else text) for _ in codes]
            record.add_field(Field(tag, Indicators(" ", draw(st.sampled_from("0124"))),
                                   [Subfield(c, v) for c, v in zip(codes, values,
                                                                     strict=True)]))
    return record


def outcome(fn: Callable[..., BibRecord], *args: object) -> BibRecord | str:
    """The normalized record, or the reason it was refused."""
    try:
        return fn(*args)
    except NormalizationError as exc:
        return exc.reason


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(marc_records())
def test_iso2709_round_trip_normalizes_the_same(record: Record) -> None:
    expected = outcome(bib_from_marc, record)
    assert outcome(bib_from_payload, ISO2709, record.as_marc()) == expected


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(marc_records())
def test_marcxml_round_trip_normalizes_the_same(record: Record) -> None:
    expected = outcome(bib_from_marc, record)
    payload = pymarc.record_to_xml(record, namespace=True)
    assert outcome(bib_from_payload, MARCXML, payload) == expected


def test_a_nonfiling_indicator_that_is_not_a_number_skips_nothing() -> None:
    # MARCXML can carry any character as an indicator; "²" is a digit to str.isdigit().
    record = Record(leader=Leader("00000nam a2200000 a 4500"))
    record.add_field(Field("245", Indicators("1", "\u00b2"), [Subfield("a", "The river")]))
    assert bib_from_marc(record).title_nonfiling == 0
