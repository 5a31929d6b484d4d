"""Reading a MARCXML record from its canonical form (the OAI-PMH harvester's fast path)
gives exactly what walking the element gives, and steps aside for anything unusual (pure).
"""

from __future__ import annotations

import pymarc
import pytest
from lxml import etree

from harvesters.marcxml_parsing import (
    canonical_may_be_plain,
    record_from_marcxml,
    record_from_plain_canonical,
)
from harvesters.oai.convert import canonical
from tests.support.harvest_helpers import loc_records

NS = "http://www.loc.gov/MARC21/slim"
LEADER = "<leader>00000nam a2200000 a 4500</leader>"


def fast_read(element: etree._Element, payload: bytes) -> pymarc.Record | None:
    """What the harvester's fast path reads of an element and its canonical payload."""
    return record_from_plain_canonical(payload) if canonical_may_be_plain(element) else None


def _fields(record: pymarc.Record) -> tuple[str, list[tuple[object, ...]]]:
    return str(record.leader), [
        (f.tag, f.data, tuple(f.indicators or ()), list(f.subfields)) for f in record.fields
    ]


def _in_envelope(body: str, prefix: str = "") -> etree._Element:
    """A record inside an OAI-PMH-like wrapper, as the harvester meets it."""
    p = f"{prefix}:" if prefix else ""
    declaration = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    xml = (f'<OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/"><metadata>'
           f"<{p}record {declaration}>{body}</{p}record></metadata></OAI-PMH>")
    return etree.fromstring(xml)[0][0]


def test_fast_path_reads_every_loc_record_as_the_element_walk_does():
    records = loc_records()
    xml = b"".join(pymarc.record_to_xml(r, namespace=True) for r in records)
    xml = bytes(b for b in xml if b >= 0x20 or b in (0x09, 0x0A, 0x0D))
    collection = etree.fromstring(b'<collection xmlns="' + NS.encode() + b'">' + xml
                                  + b"</collection>")
    fast = [fast_read(e, canonical(e)) for e in collection]
    assert None not in fast
    assert [_fields(r) for r in fast if r is not None] == [
        _fields(record_from_marcxml(e).record) for e in collection
    ]


@pytest.mark.parametrize("prefix", ["", "marc"])
def test_prefixes_pretty_printing_and_escapes_read_alike(prefix: str):
    p = f"{prefix}:" if prefix else ""
    element = _in_envelope(
        f"\n  <{p}leader>00000nam a2200000 a 4500</{p}leader>\n"
        f'  <{p}controlfield tag="001">a&amp;b</{p}controlfield>\n'
        f'  <{p}datafield tag="245" ind1="1" ind2="4">\n'
        f'    <{p}subfield code="a">The &lt;odd&gt; "title" &amp; more&#13;</{p}subfield>\n'
        f'    <{p}subfield code="c"></{p}subfield>\n'
        f"  </{p}datafield>\n",
        prefix,
    )
    fast = fast_read(element, canonical(element))
    assert fast is not None
    assert _fields(fast) == _fields(record_from_marcxml(element).record)
    assert fast["245"].get_subfields("a") == ['The <odd> "title" & more\r']


@pytest.mark.parametrize(
    "body",
    [
        '<controlfield tag="001">x</controlfield>',  # no leader: a note
        '<leader>short</leader><controlfield tag="001">x</controlfield>',  # a note
        LEADER + '<controlfield tag="1">x</controlfield>',  # a padded tag: a note
        LEADER + '<datafield tag="245" ind1="10" ind2=" "><subfield code="a">x</subfield>'
        "</datafield>",  # long indicator: a note
        LEADER + '<datafield tag="245"><subfield code="a">x</subfield></datafield>',
        LEADER + '<datafield tag="245" ind1=" " ind2=" "><subfield code="ab">x</subfield>'
        "</datafield>",  # long code: a note
        LEADER + '<datafield tag="245" ind1=" " ind2=" "><subfield code="a">x<!-- c -->'
        "</subfield></datafield>",  # a comment inside a subfield: refused by the walk
        LEADER + '<datafield tag="245" ind1=" " ind2=" "><subfield code="a">x<?pi y?>'
        "</subfield></datafield>",
        LEADER + '<datafield tag="245" ind1=" " ind2=" "><subfield code="a">x<b>y</b>'
        "</subfield></datafield>",
        LEADER + '<datafield tag="245" ind1=" " ind2=" "><note>x</note></datafield>',
        LEADER + '<controlfield tag="001">x<b/></controlfield>',
        LEADER + "<holdings>x</holdings>",
        LEADER,  # no fields
        f'<m:leader xmlns:m="{NS}">00000nam a2200000 a 4500</m:leader>'
        '<controlfield tag="001">x</controlfield>',  # prefixes mixed: the walk reads it
    ],
)
def test_anything_unusual_is_left_to_the_element_walk(body: str):
    element = _in_envelope(body)
    assert fast_read(element, canonical(element)) is None
