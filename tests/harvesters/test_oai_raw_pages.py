"""A page read as far as its tree is needed in one process (the fetcher) and finished in
another (a converter) gives exactly the records and skips of converting it in one go,
whether the canonical form or the element walk reads each record (pure)."""

from __future__ import annotations

import pickle

import pymarc

from harvesters.oai.convert import PageConverter, Pending, RawPage
from harvesters.oai.responses import list_records, parse_envelope
from harvesters.records import HarvestedRecord

NS = "http://www.loc.gov/MARC21/slim"
LEADER = "<leader>00000nam a2200000 a 4500</leader>"
FIELD = '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">{}</subfield></datafield>'
METADATA = [
    LEADER + '<controlfield tag="001">plain</controlfield>' + FIELD.format("Hikayat"),
    LEADER + FIELD.format("Babad <!-- a comment --> Tanah Jawi"),  # refused by the walk
    '<controlfield tag="001">no leader</controlfield>' + FIELD.format("Serat"),  # a note
    LEADER + '<datafield tag="245" ind1=" " ind2=" ">\n  <note>x</note></datafield>',  # refused
    LEADER + FIELD.format("Sejarah &amp; budaya"),
]


def _page() -> bytes:
    records = "".join(
        f"<record><header><identifier>oai:x:{n}</identifier>"
        f"<datestamp>2026-11-0{n + 1}</datestamp></header>"
        f'<metadata>\n<record xmlns="{NS}">{body}</record></metadata></record>\n'
        for n, body in enumerate(METADATA)
    )
    records += ('<record><header status="deleted"><identifier>oai:x:gone</identifier>'
                "<datestamp>2026-11-09</datestamp></header></record>\n"
                "<record><header><datestamp>2026-11-09</datestamp></header>"
                f'<metadata><record xmlns="{NS}">{LEADER}</record></metadata></record>\n')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">\n'
            "<responseDate>2026-11-22T02:00:00Z</responseDate>\n"
            f"<ListRecords>\n{records}</ListRecords></OAI-PMH>").encode()


def _seen(record: HarvestedRecord) -> tuple[object, ...]:
    marc: pymarc.Record | None = record.marc
    fields = None if marc is None else (str(marc.leader), [
        (f.tag, f.data, tuple(f.indicators or ()), list(f.subfields)) for f in marc.fields])
    return record.local_id, record.payload, record.datestamp, record.deleted, fields


def test_a_page_finished_in_another_process_equals_the_page_converted_at_once() -> None:
    converter = PageConverter.of("marc21")
    body = _page()
    entries, _ = list_records(parse_envelope(body))
    records, skipped = converter.records(entries, 7)
    raw = RawPage(body, "http://127.0.0.1/oai", 7, {"page": 7}, converter.read(entries, 7))
    finished = converter.convert(pickle.loads(pickle.dumps(raw)))
    assert [_seen(r) for r in finished.records] == [_seen(r) for r in records]
    assert finished.skipped == skipped
    assert [r.local_id for r in records] == ["oai:x:0", "oai:x:2", "oai:x:4", "oai:x:gone"]
    assert records[1].marc is not None and records[1].marc["245"]["a"] == "Serat"
    assert [s.position for s in skipped] == ["page 7, record 2", "page 7, record 4",
                                             "page 7, record 7"]
    # Where the element walk met them in the response, not in the record alone.
    assert "at line 8" in skipped[0].reason and "at line 13" in skipped[1].reason

def test_only_a_record_the_canonical_form_cannot_read_needs_the_response_again() -> None:
    converter = PageConverter.of("marc21")
    entries, _ = list_records(parse_envelope(_page()))
    plain = [read.plain for read in converter.read(entries, 1) if isinstance(read, Pending)]
    assert plain == [True, False, True, True, True]
    # Without the body, the records of plain canonical form are finished from their
    # payloads alone (the others, 1 to 3, would have the response parsed again).
    raw = RawPage(b"", "http://127.0.0.1/oai", 1, {"page": 1},
                  tuple(read for read in converter.read(entries, 1)
                        if isinstance(read, Pending) and read.index in (0, 4)))
    finished = converter.convert(raw)
    assert [r.local_id for r in finished.records] == ["oai:x:0", "oai:x:4"]
    assert all(r.marc is not None for r in finished.records)
