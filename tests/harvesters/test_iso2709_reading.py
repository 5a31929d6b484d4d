"""The tolerant ISO 2709 reader against the real broken files in ../shared/data/marc."""

from __future__ import annotations

import io
import time
import tracemalloc
import unicodedata

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvesters import iso2709_reading
from harvesters.iso2709_reading import read_iso2709
from harvesters.marc8 import decode_marc8
from harvesters.marc_reading import ReadFailure, ReadRecord
from tests.harvesters.marc_corpus import MARC, MARC4J, MUTATIONS, PERL, PYMARC, mutate, read
from tests.support.paths import LOC_INDONESIAN


def read_bytes(data: bytes, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    items = list(read_iso2709(io.BytesIO(data), **options))
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


# --------------------------------------------------------------- real, clean data


def test_loc_indonesian_file_reads_all_2828_records_without_repairs() -> None:
    records, failures = read(LOC_INDONESIAN)
    assert len(records) == 2828
    assert failures == []
    assert [r for r in records if r.notes] == []


def test_loc_records_equal_what_pymarc_reads() -> None:
    records, _ = read(LOC_INDONESIAN)
    with LOC_INDONESIAN.open("rb") as stream:
        expected = list(pymarc.MARCReader(stream))
    assert len(expected) == len(records)
    for ours, theirs in zip(records, expected, strict=True):
        assert ours.record.as_dict() == theirs.as_dict()


def test_raw_bytes_are_the_records_bytes_in_the_file() -> None:
    data = LOC_INDONESIAN.read_bytes()
    records, _ = read(LOC_INDONESIAN)
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
        with LOC_INDONESIAN.open("rb") as stream:
            return sum(isinstance(i, ReadRecord) for i in read_iso2709(stream))

    def theirs() -> int:
        with LOC_INDONESIAN.open("rb") as stream:
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
    records, _ = read(LOC_INDONESIAN)
    tenth = records[9].position
    with LOC_INDONESIAN.open("rb") as stream:
        rest = list(read_iso2709(stream, start_offset=tenth.end_offset, start_index=10))
    assert [r.raw for r in rest] == [r.raw for r in records[10:]]
    assert rest[0].position.index == 10


def test_iso2709_memory_does_not_grow_with_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iso2709_reading, "BLOCK", 1 << 16)
    data = b"\x00" * 1000 + b"z" * (8 << 20) + b"\x1d" + LOC_INDONESIAN.read_bytes()[:200_000]
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_iso2709(io.BytesIO(data), max_record_bytes=1 << 18))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count > 100
    assert peak < 2 << 20  # the input alone is 8 MB


@settings(max_examples=300, deadline=None)
@given(edits=MUTATIONS, limit=st.sampled_from([256, 4096, 1 << 20]))
def test_damaged_iso2709_never_raises_and_keeps_the_good_record(
    edits: list[tuple[int, bytes, int]], limit: int
) -> None:
    good = marc_record("good", "Intact")
    damaged = mutate(LOC_INDONESIAN.read_bytes()[:1500], edits)
    records, _ = read_bytes(damaged + b"\x1d" + good, max_record_bytes=limit)
    assert records and records[-1].raw == good
