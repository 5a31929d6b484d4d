"""The one MARCXML → pymarc converter (used by the file and OAI-PMH harvesters alike)
agrees with pymarc's own reader (pure)."""

from __future__ import annotations

import io

import pymarc
import pytest
from lxml import etree

from harvesters.marc_record import MarcDataError
from harvesters.marcxml_parsing import record_from_marcxml
from tests.support.harvest_helpers import loc_records

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
    converted = [record_from_marcxml(element).record for element in collection]
    assert len(converted) == len(reference) == 2828
    assert [r.as_marc() for r in converted] == [r.as_marc() for r in reference]


def test_control_and_data_fields_are_kept_apart():
    record = record_from_marcxml(_xml(
        '<leader>00000nam a2200000 a 4500</leader><controlfield tag="001">x1</controlfield>'
        '<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Judul</subfield>'
        '<subfield code="b">anak judul</subfield></datafield>')).record
    assert record["001"].data == "x1" and record["001"].is_control_field()
    assert record["245"].indicators == ("1", "0")
    assert record["245"].get_subfields("a", "b") == ["Judul", "anak judul"]


def test_missing_leader_is_replaced_by_a_blank_one_and_noted():
    parsed = record_from_marcxml(_xml('<controlfield tag="001">x</controlfield>'))
    assert parsed.record["001"].data == "x"
    assert parsed.notes == ["record has no leader; a blank one is used"]


def test_subfield_without_a_code_is_an_error():
    with pytest.raises(MarcDataError, match="without a code"):
        record_from_marcxml(_xml('<leader>00000nam a2200000 a 4500</leader>'
                                 '<datafield tag="245" ind1=" " ind2=" "><subfield>x'
                                 "</subfield></datafield>"))


def test_element_that_is_not_a_marc_record_is_an_error():
    with pytest.raises(MarcDataError):
        record_from_marcxml(etree.fromstring("<record/>"))
