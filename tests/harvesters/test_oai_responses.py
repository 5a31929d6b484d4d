"""Safe parsing of OAI-PMH responses (pure)."""

from __future__ import annotations

import pytest

from harvesters.oai.responses import (
    MalformedResponse,
    UnsafeResponse,
    identify,
    list_identifiers,
    list_records,
    parse_envelope,
)
from tests.support.oai_fault_server import ENTITY_BOMB, EXTERNAL_ENTITY
from tests.support.slims_emulation import SLIMS_FIXTURES

HEAD = ('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2026-11-22T02:17:54Z</responseDate><request>x</request>")


def _doc(body: str) -> bytes:
    return (HEAD + body + "</OAI-PMH>").encode()


def test_entity_bomb_is_refused():
    with pytest.raises(UnsafeResponse):
        parse_envelope(ENTITY_BOMB)


def test_external_entity_is_refused():
    with pytest.raises(UnsafeResponse):
        parse_envelope(EXTERNAL_ENTITY)


def test_doctype_after_a_long_prolog_is_still_refused():
    body = (b'<?xml version="1.0"?>' + b"<!--" + b" " * 20000 + b"-->"
            + EXTERNAL_ENTITY.split(b"?>", 1)[1])
    with pytest.raises(UnsafeResponse):
        parse_envelope(body)


def test_truncated_xml_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_envelope(_doc("<ListRecords>")[:-30])


def test_html_page_is_malformed():
    with pytest.raises(MalformedResponse):
        parse_envelope(b"<html><body>Maintenance</body></html>")


def test_errors_are_read_with_code_and_message():
    envelope = parse_envelope(SLIMS_FIXTURES.joinpath("oai2_from_p2.xml").read_bytes())
    assert envelope.response_date == "2026-11-22T02:20:01Z"
    assert [(e.code, e.message) for e in envelope.errors] == [
        ("noRecordsMatch", "The combination of the given values results in an empty list.")]


def test_slims_resumption_token_with_garbage_attributes_is_read():
    envelope = parse_envelope(SLIMS_FIXTURES.joinpath("oai2_li_p1.xml").read_bytes())
    headers, token = list_identifiers(envelope)
    assert len(headers) == 100
    assert token is not None and token.value == "100____oai_dc"
    assert token.complete_list_size == 255 and token.cursor == 100


def test_empty_resumption_token_ends_the_list():
    envelope = parse_envelope(_doc(
        '<ListIdentifiers><header><identifier>a</identifier><datestamp>2020-01-01'
        '</datestamp></header><resumptionToken completeListSize="1" cursor="0"/>'
        "</ListIdentifiers>"))
    headers, token = list_identifiers(envelope)
    assert [h.identifier for h in headers] == ["a"]
    assert token is not None and token.value is None


def test_deleted_header_and_set_specs_are_read():
    envelope = parse_envelope(_doc(
        '<ListRecords><record><header status="deleted"><identifier>oai:x:1</identifier>'
        "<datestamp>2020-01-01T00:00:00Z</datestamp><setSpec>a</setSpec><setSpec>b</setSpec>"
        "</header></record></ListRecords>"))
    (entry,), token = list_records(envelope)
    assert entry.header.deleted and entry.header.set_specs == ["a", "b"]
    assert entry.metadata == [] and token is None


def test_stray_text_in_the_envelope_is_ignored():
    # SLiMS oai.php echoes "resumption" into the envelope on every resumed page.
    envelope = parse_envelope(_doc("resumption<ListRecords></ListRecords>"))
    assert list_records(envelope) == ([], None)


def test_missing_verb_element_is_malformed():
    with pytest.raises(MalformedResponse):
        list_records(parse_envelope(_doc("")))


def test_identify_granularity_is_read():
    info = identify(parse_envelope(
        SLIMS_FIXTURES.joinpath("oai2_verb_Identify.xml").read_bytes()))
    assert info.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert info.repository_name == "Senayan"
