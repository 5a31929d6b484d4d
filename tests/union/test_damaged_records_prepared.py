"""Damaged MARC from the file to the prepared page: whatever the damage, reading,
identifying, dating, hashing and normalizing never raise, and a good record after the
damage is still read and normalized. (The readers alone are tested the same way in
tests/harvesters/test_iso2709_reading.py and test_marcxml_reading.py; this covers what the
harvester and the ingest do with what they yield.)"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pymarc
from hypothesis import given, settings
from hypothesis import strategies as st

from harvesters.marc_file import MarcFileHarvester
from harvesters.records import ISO2709, MARCXML
from tests.harvesters.test_marc_file import marc, pages_of
from tests.support.paths import LOC_INDONESIAN
from union.ingest import prepare_page

# Bytes that matter to ISO 2709 and its encodings, inserted over real records: record,
# field and subfield delimiters, a MARC-8 escape, broken UTF-8, digits into lengths, and
# characters that str.isdigit() takes for digits but int() refuses.
_DAMAGE = st.sampled_from([b"", b"\x1d", b"\x1e", b"\x1f", b"\x1b$1", b"\xe2", b"\xff", b"9",
                           b" ", "\u00b2".encode(), "\u0663".encode(), b"d"])
_EDITS = st.lists(st.tuples(st.integers(0, 4000), _DAMAGE, st.integers(0, 40)),
                  min_size=1, max_size=8)


# Control fields as the wild writes them: digits of other scripts and superscripts (which
# str.isdigit() accepts and int() may not), dashes and letters where digits belong; of
# any length, and of the lengths a 005 or 008 has.
_DIGITS = "0123456789\u00b2\u0663\u0e51"
_CONTROL = st.one_of(
    st.text(alphabet=_DIGITS + " -./:TZauc|#", max_size=45),
    *(st.text(alphabet=_DIGITS, min_size=size, max_size=size) for size in (8, 14)),
    st.text(alphabet=_DIGITS + " |", min_size=40, max_size=40),
)
# Field text with what trips parsers: digits of other scripts, ISBN and year shapes,
# brackets, combining marks, right-to-left and CJK letters, lone spaces.
_TEXT = st.text(alphabet="0123456789Xx-[]?.:;/= ,c\u00a9\u00b2\u0663\u0301\u05d0\u4e00abIlSp",
                max_size=30)
_DATA_FIELDS = ("020", "022", "035", "041", "100", "110", "245", "250", "260", "264", "300",
                "490", "650", "700", "830", "852", "952")


@st.composite
def _odd_records(draw: st.DrawFn) -> pymarc.Record:
    """One record whose every field, and its indicators, may hold anything."""
    record = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    for tag in ("001", "003", "005", "008"):
        if draw(st.booleans()):
            record.add_field(pymarc.Field(tag, data=draw(_CONTROL)))
    for tag in draw(st.lists(st.sampled_from(_DATA_FIELDS), max_size=8)):
        codes = draw(st.text(alphabet="abcdeinpqvxyz0124", min_size=1, max_size=4))
        record.add_field(pymarc.Field(
            tag, pymarc.Indicators(*draw(st.lists(st.sampled_from(" 049\u00b2"), min_size=2,
                                                  max_size=2))),
            [pymarc.Subfield(code, draw(_TEXT)) for code in codes]))
    return record


def _file(records: list[pymarc.Record], syntax: str) -> bytes:
    if syntax == ISO2709:
        return b"".join(record.as_marc() for record in records)
    return (b'<collection xmlns="http://www.loc.gov/MARC21/slim">'
            + b"".join(pymarc.record_to_xml(record) for record in records) + b"</collection>")


def _damaged(edits: list[tuple[int, bytes, int]]) -> bytes:
    data = LOC_INDONESIAN.read_bytes()[:4000]
    for at, insert, cut in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut:]
    return data


@settings(max_examples=150, deadline=None)
@given(edits=_EDITS)
def test_damaged_records_are_prepared_or_skipped_and_never_stop_the_page(
        edits: list[tuple[int, bytes, int]]) -> None:
    good = marc("good-one")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "damaged.mrc"
        path.write_bytes(_damaged(edits) + b"\x1d" + good)
        pages = asyncio.run(pages_of(MarcFileHarvester("x", path, ISO2709, page_size=3)))
    prepared = [record for page in pages for record in prepare_page(page).records]
    last = prepared[-1]
    assert last.record.local_id == "good-one" and last.bib is not None


@settings(max_examples=150, deadline=None)
@given(records=st.lists(_odd_records(), min_size=1, max_size=4),
       syntax=st.sampled_from([ISO2709, MARCXML]))
def test_records_with_anything_in_their_fields_are_prepared_or_skipped(
        records: list[pymarc.Record], syntax: str) -> None:
    good = pymarc.Record(leader="00000nam a2200000 a 4500", force_utf8=True)
    good.add_field(pymarc.Field("001", data="good-one"),
                   pymarc.Field("245", pymarc.Indicators("0", "0"),
                                [pymarc.Subfield("a", "Sejarah Lubuklinggau")]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "odd.mrc"
        path.write_bytes(_file([*records, good], syntax))
        pages = asyncio.run(pages_of(MarcFileHarvester("x", path, syntax, page_size=2)))
    prepared = [record for page in pages for record in prepare_page(page).records]
    last = prepared[-1]
    assert last.record.local_id == "good-one" and last.bib is not None
