"""Who a MARC record is (``harvesters.marc_identity``): its local identifier and its 005
datestamp."""

from __future__ import annotations

from datetime import UTC, datetime

import pymarc
import pytest

from harvesters.marc_identity import datestamp_005, local_identifier
from tests.harvesters.test_marc_file import marc


def test_local_id_is_the_001() -> None:
    record = pymarc.Record(data=marc("  b123 "))
    assert local_identifier(record, b"") == ("b123", None)


def test_record_without_001_is_identified_by_its_035() -> None:
    raw = marc(
        fields=[
            pymarc.Field("035", pymarc.Indicators(" ", " "), [pymarc.Subfield("a", "(SLiMS)42")])
        ]
    )
    assert local_identifier(pymarc.Record(data=raw), raw) == (
        "035$a:(SLiMS)42",
        "no 001; identified by 035 $a",
    )


def test_record_without_001_or_035_is_identified_by_content_hash() -> None:
    raw = marc()
    local_id, note = local_identifier(pymarc.Record(data=raw), raw)
    assert local_id.startswith("sha1:") and len(local_id) == 45
    assert local_id == local_identifier(pymarc.Record(data=raw), raw)[0]
    assert note == "no 001 or 035 $a; identified by content hash"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19940223151047.0", datetime(1994, 2, 23, 15, 10, 47, tzinfo=UTC)),
        ("20200910143141", datetime(2020, 9, 10, 14, 31, 41, tzinfo=UTC)),
        ("20200910", datetime(2020, 9, 10, tzinfo=UTC)),
        ("00000000000000.0", None),
        ("20201341000000.0", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_datestamp_comes_from_005_when_it_parses(value: str, expected: datetime | None) -> None:
    record = pymarc.Record()
    record.add_field(pymarc.Field("005", data=value))
    assert datestamp_005(record) == expected


def test_record_without_005_has_no_datestamp() -> None:
    assert datestamp_005(pymarc.Record()) is None


def test_005_with_a_non_decimal_digit_has_no_datestamp() -> None:
    record = pymarc.Record()
    record.add_field(pymarc.Field("005", data="2020091014314\u00b2"))  # "²": isdigit(), not int()
    assert datestamp_005(record) is None
