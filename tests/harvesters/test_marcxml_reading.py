"""The tolerant MARCXML reader against the real broken files in ../shared/data/marc."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pymarc
import pytest
from hypothesis import given, settings

from harvesters.marc_reading import ReadFailure, ReadRecord
from harvesters.marcxml_parsing import parse_marcxml
from harvesters.marcxml_reading import read_marcxml
from tests.harvesters.marc_corpus import (
    MARC,
    MARC4J,
    MARC_NS,
    MUTATIONS,
    PERL,
    PYMARC,
    mutate,
    read,
)
from tests.support.paths import LOC_INDONESIAN, REPO


def read_xml(data: bytes, **options: object) -> tuple[list[ReadRecord], list[ReadFailure]]:
    items = list(read_marcxml(io.BytesIO(data), **options))
    return (
        [i for i in items if isinstance(i, ReadRecord)],
        [i for i in items if isinstance(i, ReadFailure)],
    )


@settings(max_examples=200, deadline=None)
@given(edits=MUTATIONS)
def test_damaged_marcxml_never_raises(edits: list[tuple[int, bytes, int]]) -> None:
    items = list(read_marcxml(io.BytesIO(mutate((MARC4J / "chabon.xml").read_bytes(), edits))))
    assert all(isinstance(item, ReadRecord | ReadFailure) for item in items)


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
    records, _ = read(LOC_INDONESIAN)
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
