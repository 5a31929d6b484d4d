"""The tolerant MARC readers against the real broken files in ../shared/data/marc."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from harvesters import iso2709_reading
from harvesters.iso2709_reading import read_iso2709
from harvesters.marc8 import decode_marc8
from harvesters.marc_reading import ReadFailure, ReadRecord
from harvesters.marcxml_parsing import parse_marcxml
from harvesters.marcxml_reading import read_marcxml

REPO = Path(__file__).resolve().parents[2]
MARC = REPO.parent / "shared" / "data" / "marc"
LOC = MARC / "loc-booksall-2016-part01" / "BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"
PYMARC = MARC / "pymarc-5.4.0-sdist-test"
MARC4J = MARC / "marc4j"
PERL = MARC / "perl4lib-marc-perl"

ISO_SUFFIXES = {".mrc", ".dat", ".usmarc", ".marc", ".001"}
MARC_NS = "http://www.loc.gov/MARC21/slim"


def _is_iso(path: Path) -> bool:
    return (
        path.suffix in ISO_SUFFIXES or path.name == "sample-marc" or ".records.utf8--" in path.name
    )


def _corpus() -> list[Path]:
    files = sorted(p for p in MARC.rglob("*") if p.is_file())
    return [p for p in files if _is_iso(p) or p.suffix == ".xml"]


def read(path: Path, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    """Every item of a file, split into records read and failures."""
    with path.open("rb") as stream:
        items = list(
            read_iso2709(stream, **options) if _is_iso(path) else read_marcxml(stream, **options)
        )
    return (
        [i for i in items if isinstance(i, ReadRecord)],
        [i for i in items if isinstance(i, ReadFailure)],
    )


def read_bytes(data: bytes, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    items = list(read_iso2709(io.BytesIO(data), **options))
    return (
        [i for i in items if isinstance(i, ReadRecord)],
        [i for i in items if isinstance(i, ReadFailure)],
    )


def read_xml(data: bytes, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    items = list(read_marcxml(io.BytesIO(data), **options))
    return (
        [i for i in items if isinstance(i, ReadRecord)],
        [i for i in items if isinstance(i, ReadFailure)],
    )


def marc_record(control_number: str | None, title: str, *, leader9: str = "a") -> bytes:
    """One ISO 2709 record made with pymarc."""
    record = pymarc.Record(leader=f"00000nam {leader9}2200000 a 4500", force_utf8=leader9 == "a")
    if control_number is not None:
        record.add_field(pymarc.Field("001", data=control_number))
    record.add_field(
        pymarc.Field(
            "245",
            pymarc.Indicators("1", "0"),
            [pymarc.Subfield("a", title)],
        )
    )
    return record.as_marc()


# --------------------------------------------------------------- honest accounting


def _expected_iso_units(data: bytes) -> int:
    """Record-like units by a naive split on the record terminator: every chunk that is
    not just padding, plus an unterminated tail that is not just padding."""
    chunks = data.split(b"\x1d")
    padding = re.compile(rb"[\x00\t\n\r \x1a]*")
    return sum(1 for chunk in chunks if padding.fullmatch(chunk) is None)


def _local(element: etree._Element) -> tuple[str | None, str]:
    qname = etree.QName(element)
    return qname.namespace, qname.localname


def _is_marc(element: etree._Element, name: str) -> bool:
    namespace, local = _local(element)
    return local == name and namespace in (None, MARC_NS)


def _expected_xml_units(path: Path) -> int:
    """MARC records (innermost MARC-or-no-namespace ``record`` elements), MARC fields
    outside any record, and one report for a document with no record at all; counted
    on the whole tree, independently of the streaming reader."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    records = [
        e
        for e in elements
        if _is_marc(e, "record")
        and not any(_is_marc(d, "record") for d in e.iterdescendants() if isinstance(d.tag, str))
    ]
    strays = [
        e
        for e in elements
        if any(_is_marc(e, name) for name in ("leader", "controlfield", "datafield"))
        and not any(_is_marc(a, "record") for a in e.iterancestors())
    ]
    empty_document = not records and _local(root)[1] not in ("collection", "record")
    return len(records) + len(strays) + int(empty_document)


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(MARC)))
def test_every_unit_in_the_corpus_is_read_or_reported(path: Path) -> None:
    records, failures = read(path)
    expected = (
        _expected_iso_units(path.read_bytes()) if _is_iso(path) else _expected_xml_units(path)
    )
    assert len(records) + len(failures) == expected
    for failure in failures:
        assert failure.reason
        if _is_iso(path):
            assert failure.position.offset is not None
        else:
            assert failure.position.line is not None


def test_the_corpus_covers_every_marc_looking_file() -> None:
    known = {p for p in _corpus()}
    others = [
        p
        for p in MARC.rglob("*")
        if p.is_file() and p not in known and p.read_bytes()[:5].isdigit()
    ]
    assert others == []


# --------------------------------------------------------------- real, clean data


def test_loc_indonesian_file_reads_all_2828_records_without_repairs() -> None:
    records, failures = read(LOC)
    assert len(records) == 2828
    assert failures == []
    assert [r for r in records if r.notes] == []


def test_loc_records_equal_what_pymarc_reads() -> None:
    records, _ = read(LOC)
    with LOC.open("rb") as stream:
        expected = list(pymarc.MARCReader(stream))
    assert len(expected) == len(records)
    for ours, theirs in zip(records, expected, strict=True):
        assert ours.record.as_dict() == theirs.as_dict()


def test_raw_bytes_are_the_records_bytes_in_the_file() -> None:
    data = LOC.read_bytes()
    records, _ = read(LOC)
    assert b"".join(r.raw for r in records) == data
    assert records[1].position.offset == len(records[0].raw)


def test_reader_is_faster_than_pymarc_on_the_loc_file() -> None:
    def rate(run: object) -> float:
        best = 0.0
        for _ in range(3):
            started = time.process_time()
            count = run()  # type: ignore[operator]
            best = max(best, count / (time.process_time() - started))
        return best

    def ours() -> int:
        with LOC.open("rb") as stream:
            return sum(isinstance(i, ReadRecord) for i in read_iso2709(stream))

    def theirs() -> int:
        with LOC.open("rb") as stream:
            return sum(1 for _ in pymarc.MARCReader(stream))

    assert rate(ours) > rate(theirs)


# --------------------------------------------------------------- character sets


def test_marc8_diacritics_decode_to_unicode() -> None:
    records, _ = read(PYMARC / "marc8.dat")
    assert records[0].record["240"]["a"] == "De la solitude à la communauté."
    assert records[0].notes == []


def test_marc8_decoder_matches_the_pymarc_reference_lines() -> None:
    marc8 = (PYMARC / "test_marc8.txt").read_bytes().split(b"\n")
    utf8 = (PYMARC / "test_utf8.txt").read_bytes().split(b"\n")
    pairs = [(m, u) for m, u in zip(marc8, utf8, strict=True) if m and u]
    assert len(pairs) > 1500
    for source, expected in pairs:
        assert decode_marc8(source) == (unicodedata.normalize("NFC", expected.decode()), 0)


def test_marc8_cyrillic_text_keeps_its_spaces() -> None:
    records, _ = read(PERL / "marc-charset" / "t" / "cyrillic.marc")
    titles = [f["a"] for f in records[0].record.get_fields("880") if f["6"].startswith("245")]
    assert titles == ["Одлуке и решења Савезног уставног суда."]


def test_record_flagged_marc8_whose_bytes_are_utf8_is_read_as_utf8() -> None:
    records, _ = read(PYMARC / "utf8_without_leader_flag.dat")
    title = records[0].record["240"]["a"]
    assert unicodedata.normalize("NFC", title) == "De la solitude à la communauté."
    assert records[0].notes == ["leader/09 is ' ' (MARC-8) but the record is UTF-8"]


def test_field_flagged_utf8_whose_bytes_are_marc8_is_read_as_marc8() -> None:
    records, _ = read(MARC4J / "pride-and-prejudice-with-many-errors.mrc")
    second = records[1]
    assert second.record["350"]["a"] == "£0.75"
    assert "field 350: not UTF-8 as leader/09 says; read as MARC-8" in second.notes


def test_bytes_neither_utf8_nor_marc8_become_replacement_characters() -> None:
    raw = marc_record("x1", "franc__ise").replace(b"__", b"\xf8\xbf")
    records, _ = read_bytes(raw)
    assert records[0].record["245"]["a"] == "franc\ufffd\ufffdise"
    assert records[0].notes == ["field 245: 2 invalid UTF-8 sequence(s) replaced by U+FFFD"]


def test_broken_marc8_escape_is_marked_not_dropped() -> None:
    records, _ = read(PYMARC / "bad_marc8_escape.dat")
    assert records[0].record["260"]["b"] == "La Sociét\ufffd,"
    assert "field 260: 1 byte(s) are not valid MARC-8; replaced by U+FFFD" in records[0].notes


def test_a_named_legacy_code_page_replaces_marc8() -> None:
    records, _ = read(PYMARC / "1251.dat", legacy_encoding="cp1251")
    assert records[0].record["245"]["a"] == "Основы гидравлического расчета инженерных сетей"
    assert records[0].notes == []


def test_parsed_record_says_unicode_in_leader_09_whatever_the_source() -> None:
    records, _ = read(PYMARC / "marc8.dat")
    assert PYMARC.joinpath("marc8.dat").read_bytes()[9:10] == b" "
    assert str(records[0].record.leader)[9] == "a"


# --------------------------------------------------------------- broken structure


def test_pymarc_bad_records_each_read_or_reported_in_order() -> None:
    records, failures = read(PYMARC / "bad_records.mrc")
    assert [r.position.index for r in records] == [0, 1, 2, 3, 5, 7]
    assert all(r.record["245"]["a"] == "The pragmatic programmer : " for r in records)
    assert [(f.position.index, f.position.offset, f.reason) for f in failures] == [
        (4, 509, "directory is unreadable from byte 24: b'245\\xc3\\xb90890000'"),
        (6, 764, "record has no fields (empty directory)"),
        (8, 917, "file ends 100 bytes into a record whose leader declares 127 bytes (truncated)"),
    ]


def test_wrong_base_address_is_repaired_and_noted() -> None:
    records, _ = read(PYMARC / "bad_records.mrc")
    assert records[1].notes == ["leader base address '99937' is wrong; the data starts at byte 37"]


def test_bad_leader_positions_10_and_11_do_not_stop_reading() -> None:
    records, failures = read(MARC4J / "bad_leaders_10_11.mrc")
    assert failures == []
    assert len(records) == 1
    assert records[0].record["001"].data.strip() != ""


def test_record_longer_than_its_leader_says_is_located_by_terminators() -> None:
    records, failures = read(MARC4J / "bad_too_long_plus_2.mrc")
    assert failures == []
    assert len(records) == 3
    assert len(records[0].raw) == 123375
    assert len(records[0].record.fields) == 1517
    assert records[0].notes == [
        "leader gives the record length as '23375'; it is 123375 bytes",
        "directory lengths/offsets do not match the data; "
        "the 1517 fields were located by their terminators",
    ]


def test_oversize_field_with_bad_directory_is_read() -> None:
    records, failures = read(MARC4J / "bad_oversize_field_bad_directory.mrc")
    assert failures == []
    assert len(records) == 5
    assert [bool(r.notes) for r in records] == [False, True, False, False, False]
    assert len(records[1].record.fields) == 18


def test_hathi_record_over_a_megabyte_is_read() -> None:
    records, failures = read(MARC4J / "bad_hathi_records.mrc")
    assert failures == []
    assert len(records) == 5
    assert len(records[3].raw) == 1096887
    assert len(records[3].record.fields) == 12654


def test_directory_with_six_digit_offsets_is_reported() -> None:
    records, failures = read(MARC4J / "datos-20161010-slice.mrc")
    assert records == []
    assert failures[0].reason.startswith("directory is unreadable at byte 12444")
    assert failures[0].local_id == "0184194"


def test_shifted_directory_is_reported_not_mismatched() -> None:
    records, failures = read(MARC4J / "pride-and-prejudice-with-many-errors.mrc")
    assert (len(records), len(failures)) == (367, 16)
    assert failures[0].position.describe() == "record 93 (byte 90472)"
    assert failures[0].reason == (
        "directory lists 9 fields but the data holds 10; fields cannot be matched to tags"
    )


def test_missing_directory_terminator_is_repaired() -> None:
    records, failures = read(PERL / "marc-record" / "t" / "baddir.usmarc")
    assert failures == []
    assert records[0].record["245"]["a"] == "Green Eggs and Ham"
    assert records[0].notes == ["directory terminator missing"]


def test_odd_directory_tag_keeps_the_rest_of_the_record() -> None:
    records, _ = read(PYMARC / "bad_indicator.dat")
    assert records[0].record["245"]["a"] == "Aristocrats of color :"


def test_accented_subfield_code_is_read_as_its_letter() -> None:
    records, _ = read(PYMARC / "bad_subfield_code.dat")
    assert records[0].record["245"]["a"] == "ActivePerl with ASP and ADO /"
    assert "field 245: subfield code 'á' read as 'a'" in records[0].notes


def test_non_ascii_indicator_becomes_blank_and_is_noted() -> None:
    records, _ = read(MARC4J / "185258.mrc")
    assert records[0].record["082"].indicators == pymarc.Indicators(" ", " ")
    assert records[0].notes == ["field 082: indicators '² ' read as '  '"]


def test_field_text_without_subfield_delimiter_is_kept_as_a() -> None:
    records, _ = read(MARC / "openlibrary" / "bin_input" / "wrapped_lines.mrc")
    texts = [f["a"] for f in records[0].record.get_fields("520")]
    assert any(t.startswith("iefing on Korean War") for t in texts)


def test_lengths_counted_in_characters_are_repaired() -> None:
    records, failures = read(MARC / "openlibrary" / "bin_input" / "dasrmischepriv00rein_meta.mrc")
    assert failures == []
    assert records[0].record.title is not None


# --------------------------------------------------------------- framing


def test_truncated_last_record_is_reported_with_its_control_number() -> None:
    records, failures = read(MARC4J / "008008027.mrc")
    assert len(records) == 18
    assert [(f.position.offset, f.reason, f.local_id) for f in failures] == [
        (
            62502,
            "file ends 3034 bytes into a record whose leader declares 3475 bytes (truncated)",
            "58-008008027",
        )
    ]


def test_junk_after_the_last_record_is_reported() -> None:
    records, failures = read(PERL / "marc-record" / "t" / "badldr.usmarc")
    assert len(records) == 6
    assert [f.reason for f in failures] == [
        "1 byte(s) at the end of the file without a record terminator"
    ]


def test_padding_between_records_is_not_a_record() -> None:
    camel, camel_failures = read(PERL / "marc-record" / "t" / "cameleof.usmarc")
    zebra, zebra_failures = read(MARC / "debian-idzebra-2.0-examples" / "marc21" / "sample-marc")
    assert (len(camel), camel_failures) == (10, [])
    assert (len(zebra), zebra_failures) == (24, [])


def test_garbage_between_records_is_reported_and_reading_resumes() -> None:
    data = marc_record("a1", "First") + b"GARBAGE\x1d" + marc_record("a2", "Second")
    records, failures = read_bytes(data)
    assert [r.record["001"].data for r in records] == ["a1", "a2"]
    assert len(failures) == 1
    assert failures[0].position.offset == len(marc_record("a1", "First"))


def test_record_without_terminator_within_the_limit_is_skipped() -> None:
    first = marc_record("a1", "First")
    data = first + b"99999" + b"x" * 5000 + b"\x1d" + marc_record("a2", "Second")
    records, failures = read_bytes(data, max_record_bytes=1000)
    assert [r.record["001"].data for r in records] == ["a1", "a2"]
    assert [f.reason for f in failures] == [
        "no record terminator within 1000 bytes; 5006 bytes skipped"
    ]


def test_reading_restarts_exactly_after_an_item() -> None:
    records, _ = read(LOC)
    tenth = records[9].position
    with LOC.open("rb") as stream:
        rest = list(read_iso2709(stream, start_offset=tenth.end_offset, start_index=10))
    assert [r.raw for r in rest] == [r.raw for r in records[10:]]
    assert rest[0].position.index == 10


def test_iso2709_memory_does_not_grow_with_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iso2709_reading, "BLOCK", 1 << 16)
    data = b"\x00" * 1000 + b"z" * (8 << 20) + b"\x1d" + LOC.read_bytes()[:200_000]
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_iso2709(io.BytesIO(data), max_record_bytes=1 << 18))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 100
    assert peak < 2 << 20  # the input alone is 8 MB


_MUTATIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2000),
        st.sampled_from([b"", b"\x1d", b"\x1e", b"\x1f", b"\x1b$1", b"\xe2", b"\xff", b"9"]),
        st.integers(min_value=0, max_value=40),
    ),
    min_size=1,
    max_size=6,
)


def _mutate(data: bytes, edits: list[tuple[int, bytes, int]]) -> bytes:
    for at, insert, cut in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    return data


@settings(max_examples=300, deadline=None)
@given(edits=_MUTATIONS, limit=st.sampled_from([256, 4096, 1 << 20]))
def test_damaged_iso2709_never_raises_and_keeps_the_good_record(
    edits: list[tuple[int, bytes, int]], limit: int
) -> None:
    good = marc_record("good", "Intact")
    damaged = _mutate(LOC.read_bytes()[:1500], edits)
    records, _ = read_bytes(damaged + b"\x1d" + good, max_record_bytes=limit)
    assert records and records[-1].raw == good


@settings(max_examples=200, deadline=None)
@given(edits=_MUTATIONS)
def test_damaged_marcxml_never_raises(edits: list[tuple[int, bytes, int]]) -> None:
    items = list(read_marcxml(io.BytesIO(_mutate((MARC4J / "chabon.xml").read_bytes(), edits))))
    assert all(isinstance(item, ReadRecord | ReadFailure) for item in items)


# --------------------------------------------------------------- MARCXML


def test_namespaced_collection_is_read() -> None:
    records, failures = read(PYMARC / "batch.xml")
    assert (len(records), failures) == (2, [])
    assert records[0].record["245"]["a"] == "The Great Ray Charles"


def test_record_without_namespace_is_read() -> None:
    records, failures = read(MARC / "NatLibFi-RecordManager" / "bad.xml")
    assert (len(records), failures) == (1, [])
    assert records[0].record["001"].data == "ocn875586868"


def test_marcxml_inside_an_sru_response_is_read() -> None:
    path = MARC / "slsp-dedupmarcxml-tests" / "request_985094631499507468_1.xml"
    records, failures = read(path)
    assert (len(records), failures) == (1, [])
    assert records[0].record["001"].data == "991132983529705501"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("chabon-missing-controlfield-tag.xml", "controlfield without a tag at line 5"),
        (
            "chabon-missing-subfield-code.xml",
            "subfield without a code in datafield 020 at line 8",
        ),
        (
            "chabon-bad-subfields-element.xml",
            "unexpected <subfields> element in datafield 020 at line 8",
        ),
        (
            "chabon-missing-datafield-tag.xml",
            "unexpected <subfields> element in datafield 020 at line 8",
        ),
    ],
)
def test_chabon_record_that_would_lose_text_is_reported(name: str, reason: str) -> None:
    records, failures = read(MARC4J / name)
    assert records == []
    assert [(f.position.describe(), f.reason, f.local_id) for f in failures] == [
        ("record 1 (line 2)", reason, "11939876")
    ]


def test_datafield_without_tag_is_reported() -> None:
    data = (MARC4J / "chabon.xml").read_bytes().replace(b'<datafield tag="655"', b"<datafield")
    records, failures = read_xml(data)
    assert len(records) == 1
    assert failures[0].reason == "datafield without a tag at line 57"


def test_empty_record_element_is_reported() -> None:
    records, failures = read(PERL / "marc-xml" / "t" / "empty-record.xml")
    assert records == []
    assert [f.reason for f in failures] == ["empty record: no leader and no fields"]


def test_datafield_outside_any_record_is_reported() -> None:
    records, failures = read(PERL / "marc-xml" / "t" / "invalid.xml")
    assert records == []
    assert [f.reason for f in failures] == ["datafield 952 outside any record at line 6 ignored"]


def test_document_without_marc_records_is_reported() -> None:
    records, failures = read(MARC / "debian-idzebra-2.0-examples" / "data" / "oai-caltech.xml")
    assert records == []
    assert [f.reason for f in failures] == ["no MARCXML records in this <OAI-PMH> document"]


def test_non_marc_elements_inside_a_record_are_ignored_and_noted() -> None:
    records, _ = read(MARC4J / "1474920681_KOHA_LFL_5.xml")
    assert records[0].record["001"].data == "121564"
    assert records[0].notes == [
        "ignored <identifier> element at line 1",
        "ignored <datestamp> element at line 1",
    ]


def test_short_leader_and_two_digit_tag_are_repaired() -> None:
    records, failures = read(PYMARC / "bad_tag.xml")
    assert failures == []
    assert records[0].record.get_fields("042")[0]["a"] == "dc"
    assert len(str(records[0].record.leader)) == 24


def test_marcxml_payload_is_the_serialized_record_element() -> None:
    records, _ = read(MARC4J / "chabon.xml")
    reparsed = parse_marcxml(records[1].raw)
    assert records[1].raw.startswith(b"<record")
    assert reparsed.record.as_dict() == records[1].record.as_dict()


def test_marcxml_skip_resumes_after_items() -> None:
    records, _ = read(MARC / "debian-idzebra-2.0-examples" / "marcxml" / "collection-opera-43.xml")
    with (MARC / "debian-idzebra-2.0-examples" / "marcxml" / "collection-opera-43.xml").open(
        "rb"
    ) as stream:
        rest = list(read_marcxml(stream, skip=40))
    assert [r.raw for r in rest] == [r.raw for r in records[40:]]
    assert rest[0].position.index == 40


def _collection(*records: str, prolog: str = "") -> bytes:
    body = "".join(
        f'<record><leader>00000nam a2200000 a 4500</leader><controlfield tag="001">{cn}'
        f'</controlfield><datafield tag="245" ind1="0" ind2="0"><subfield code="a">{title}'
        "</subfield></datafield></record>\n"
        for cn, title in (r.split("|") for r in records)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{prolog}'
        f'<collection xmlns="{MARC_NS}">\n{body}</collection>\n'
    ).encode()


def test_entity_bomb_is_refused_not_expanded() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    prolog = f'<!DOCTYPE collection [<!ENTITY lol0 "lol">{lol}]>\n'
    data = _collection("ok1|Fine", "bomb|&lol9;", "ok2|Fine", prolog=prolog)
    started = time.perf_counter()
    records, failures = read_xml(data)
    assert time.perf_counter() - started < 2
    assert [r.record["001"].data for r in records] == ["ok1"]
    assert len(failures) == 1
    assert failures[0].fatal
    assert failures[0].reason.startswith("XML is not well-formed")
    assert "lollol" not in repr(records)


def test_external_entity_is_refused_not_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    prolog = f'<!DOCTYPE collection [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
    data = _collection("ok1|Fine", "xxe|&xxe;", "ok2|Fine", prolog=prolog)
    records, failures = read_xml(data)
    assert [r.record["001"].data for r in records] == ["ok1", "ok2"]
    assert [(f.reason, f.local_id) for f in failures] == [
        (
            "entity reference &xxe; at line 5 is not expanded: XML entities are refused",
            "xxe",
        )
    ]
    assert b"TOP-SECRET" not in b"".join(r.raw for r in records)


def test_malformed_xml_keeps_earlier_records_and_reports_where_it_broke() -> None:
    data = _collection("ok1|Fine", "bad|a < b", "ok2|Fine")
    records, failures = read_xml(data)
    assert [r.record["001"].data for r in records] == ["ok1"]
    assert len(failures) == 1
    assert failures[0].fatal
    assert failures[0].position.line == 4
    assert failures[0].reason.startswith("XML is not well-formed at line 4")


def test_control_character_in_xml_becomes_replacement_and_is_noted() -> None:
    data = _collection("ok1|Fine", "ctl|Bad\x0bchar", "ok2|Fine")
    records, failures = read_xml(data)
    assert failures == []
    assert records[1].record["245"]["a"] == "Bad\ufffdchar"
    assert records[1].notes == [
        "characters not allowed in XML (control bytes or invalid UTF-8) were replaced by U+FFFD"
    ]
    assert records[0].notes == []


def test_invalid_utf8_in_xml_becomes_replacement() -> None:
    data = _collection("ok1|Fine", "latin|Jos__", "ok2|Fine").replace(b"__", b"\xe9")
    records, failures = read_xml(data)
    assert failures == []
    assert records[1].record["245"]["a"] == "Jos\ufffd"


def test_latin1_declared_xml_is_read() -> None:
    data = _collection("l1|José").replace(b"UTF-8", b"ISO-8859-1").replace("é".encode(), b"\xe9")
    records, failures = read_xml(data)
    assert failures == []
    assert records[0].record["245"]["a"] == "José"


def test_marcxml_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    records, _ = read(LOC)
    chunk = b"".join(
        pymarc.record_to_xml(r.record, namespace=False) + b"\n" for r in records[:1000]
    )
    peaks = {}
    # From 4 to 16 copies: the first thousands of records warm up the allocator and
    # libxml2 (a fixed cost, 1-2 MB); past that a file 4 times longer may not cost more.
    for copies in (4, 16):
        path = tmp_path / f"c{copies}.xml"
        with path.open("wb") as out:
            out.write(f'<collection xmlns="{MARC_NS}">\n'.encode())
            for _ in range(copies):
                out.write(chunk)
            out.write(b"</collection>\n")
        # Sampled in a fresh process: ru_maxrss would include this (forked) process.
        script = textwrap.dedent(
            f"""
            import psutil
            from harvesters.marcxml_reading import read_marcxml
            process, peak, count = psutil.Process(), 0, 0
            with open({str(path)!r}, "rb") as stream:
                for _ in read_marcxml(stream):
                    count += 1
                    if count % 200 == 0:
                        peak = max(peak, process.memory_info().rss)
            assert count == {1000 * copies}, count
            print(peak)
            """
        )
        out = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
        )
        peaks[copies] = int(out.stdout.strip())
    grown = peaks[16] - peaks[4]
    assert grown < len(chunk) * 7 / 10, (grown, len(chunk) * 12)
