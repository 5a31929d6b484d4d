"""A fast MARCXML → pymarc converter over an already parsed lxml element (pure).

pymarc's own MARCXML reader goes through SAX callbacks and builds each field through its
validating constructor. The harvester already holds the parsed element, so walking it
directly (letting lxml filter children by tag in C) and filling pymarc's slotted fields
is several times faster. The result is checked against pymarc's reader in the tests.
"""

from __future__ import annotations

from lxml import etree
from pymarc import Field, Indicators, Leader, Record, Subfield

MARC_NS = "http://www.loc.gov/MARC21/slim"
_M = "{" + MARC_NS + "}"
RECORD_TAG = _M + "record"
_LEADER = _M + "leader"
_CONTROL = _M + "controlfield"
_DATA = _M + "datafield"
_SUBFIELD = _M + "subfield"

# Filling the slots directly skips Field.__init__'s per-field checks, which are done here
# once; fall back to the constructor if a future pymarc changes the slots.
_FAST = {"tag", "data", "_indicators", "subfields", "control_field"} <= set(
    getattr(Field, "__slots__", ())
)
_new = object.__new__
_tuple = tuple.__new__


class MarcXmlError(ValueError):
    """The element is not a MARCXML record pymarc can represent."""


def record_from_element(element: etree._Element) -> Record:
    """Build a pymarc Record from a ``marc:record`` element; MarcXmlError if malformed."""
    if element.tag != RECORD_TAG:
        raise MarcXmlError(f"expected a MARC21 slim record element, got {element.tag!r}")
    if not _FAST:
        return _record_slowly(element)
    record = Record()
    fields = record.fields
    leader: str | None = None
    # The hot loop of a harvest: fields are filled in place, without helper calls.
    for child in element.iterchildren(_DATA, _CONTROL, _LEADER):
        kind = child.tag
        if kind == _DATA:
            get = child.get
            tag, ind1, ind2 = get("tag", ""), get("ind1", " "), get("ind2", " ")
            # Subfield is a NamedTuple: building it as a plain tuple skips a Python call.
            subfields = [_tuple(Subfield, (sub.get("code", ""), sub.text or ""))
                         for sub in child.iterchildren(_SUBFIELD)]
            if len(tag) != 3 or len(ind1) != 1 or len(ind2) != 1:
                raise MarcXmlError(f"datafield with bad tag/indicators {tag!r} {ind1!r} {ind2!r}")
            for code, _value in subfields:
                if len(code) != 1:
                    raise MarcXmlError(f"field {tag}: subfield code {code!r} is not one "
                                       "character")
            field = _new(Field)
            field.tag = tag
            field.data = None
            field.control_field = False
            field._indicators = _tuple(Indicators, (ind1, ind2))
            field.subfields = subfields
            fields.append(field)
        elif kind == _CONTROL:
            tag = child.get("tag", "")
            if len(tag) != 3:
                raise MarcXmlError(f"controlfield with bad tag {tag!r}")
            field = _new(Field)
            field.tag = tag
            field.data = child.text or ""
            field.control_field = True
            field._indicators = None
            field.subfields = []
            fields.append(field)
        else:
            leader = child.text or ""
    record.leader = _leader(leader)
    return record


def _leader(text: str | None) -> Leader:
    if text is None:
        raise MarcXmlError("record has no leader")
    if len(text) != 24:
        raise MarcXmlError(f"leader is {len(text)} characters, not 24")
    return Leader(text)


def _record_slowly(element: etree._Element) -> Record:
    """The same conversion through pymarc's public constructors (if its slots change)."""
    record = Record()
    leader: str | None = None
    for child in element.iterchildren(_DATA, _CONTROL, _LEADER):
        tag = child.get("tag", "")
        if child.tag == _DATA:
            subfields = [Subfield(s.get("code", ""), s.text or "")
                         for s in child.iterchildren(_SUBFIELD)]
            if len(tag) != 3 or any(len(code) != 1 for code, _ in subfields):
                raise MarcXmlError(f"datafield {tag!r} is malformed")
            indicators = Indicators(child.get("ind1", " "), child.get("ind2", " "))
            record.add_field(Field(tag, indicators, subfields))
        elif child.tag == _CONTROL:
            if len(tag) != 3:
                raise MarcXmlError(f"controlfield with bad tag {tag!r}")
            record.add_field(Field(tag, data=child.text or ""))
        else:
            leader = child.text or ""
    record.leader = _leader(leader)
    return record
