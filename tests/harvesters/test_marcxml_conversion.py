"""The fast MARCXML → pymarc converter agrees with pymarc's own reader (pure)."""

from __future__ import annotations

import io

import pymarc
import pytest
from lxml import etree

from harvesters.oai import marcxml
from harvesters.oai.marcxml import MarcXmlError, record_from_element
from tests.support.oai_fault_server import loc_records

NS = "http://www.loc.gov/MARC21/slim"


def _xml(body: str) -> etree._Element:
    return etree.fromstring(f'<record xmlns="{NS}">{body}</record>')


def test_converter_matches_pymarc_on_the_whole_loc_file():
    records = loc_records()
    xml = b"".join(pymarc.record_to_xml(r, namespace=True) for r in records)
    # pymarc writes characters XML forbids (one record has a stray \x1f); drop them.
    xml = bytes(b for b in xml if b >= 0x20 or b in (0x09, 0x0A, 0x0D))
    collection = etree.fromstring(b'<collection xmlns="' + NS.encode() + b'">' + xml
                                  + b"</collection>")
    reference = pymarc.parse_xml_to_array(io.BytesIO(etree.tostring(collection)))
    converted = [record_from_element(element) for element in collection]
    assert len(converted) == len(reference) == 2828
    assert [r.as_marc() for r in converted] == [r.as_marc() for r in reference]


def test_control_and_data_fields_are_kept_apart():
    record = record_from_element(_xml(
        '<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">x1</controlfield>'
        '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Judul</subfield>'
        '<subfield code="b">anak judul</subfield></datafield>'))
    assert record["001"].data == "x1" and record["001"].is_control_field()
    assert record["245"].indicators == ("1", "0")
    assert record["245"].get_subfields("a", "b") == ["Judul", "anak judul"]


def test_missing_leader_is_an_error():
    with pytest.raises(MarcXmlError, match="no leader"):
        record_from_element(_xml('<controlfield tag="001">x</controlfield>'))


def test_subfield_without_a_code_is_an_error():
    with pytest.raises(MarcXmlError, match="subfield code"):
        record_from_element(_xml('<leader>00000nam a2200000 a 4500</leader>'
                                 '<datafield tag="245" ind1=" " ind2=" "><subfield>x'
                                 "</subfield></datafield>"))


def test_element_that_is_not_a_marc_record_is_an_error():
    with pytest.raises(MarcXmlError):
        record_from_element(etree.fromstring("<record/>"))


def test_constructor_fallback_builds_the_same_records(monkeypatch):
    xml = b"".join(pymarc.record_to_xml(r, namespace=True) for r in loc_records(200))
    elements = list(etree.fromstring(b'<c xmlns="' + NS.encode() + b'">' + xml + b"</c>"))
    fast = [record_from_element(e).as_marc() for e in elements]
    monkeypatch.setattr(marcxml, "_FAST", False)
    assert [record_from_element(e).as_marc() for e in elements] == fast
