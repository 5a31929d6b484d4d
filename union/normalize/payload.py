"""Stored source-record payloads (ISO 2709 bytes, one MARCXML record) -> pymarc Record."""

from __future__ import annotations

from lxml import etree
from pymarc import Record
from pymarc.exceptions import PymarcException

from harvesters.oai.marcxml import MARC_NS, MarcXmlError, record_from_element
from union.normalize.errors import NormalizationError
from union.normalize.xml import local_name, namespace, parse_xml

# MarcXchange (ISO 25577) is MARCXML under another name; bare records have no namespace.
_MARC_LIKE_NAMESPACES = frozenset(
    {"", "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2"}
)


def record_from_iso2709(payload: bytes) -> Record:
    """Decode one ISO 2709 record: UTF-8 when leader/09 is "a", MARC-8 when it is blank.

    Undecodable bytes are replaced rather than failing the whole record.
    """
    if not payload:
        raise NormalizationError("empty ISO 2709 payload")
    try:
        return Record(
            data=payload,
            to_unicode=True,
            force_utf8=False,
            hide_utf8_warnings=True,  # pymarc would otherwise write to stderr
            utf8_handling="replace",
        )
    except (PymarcException, ValueError, IndexError, KeyError, TypeError) as exc:
        raise NormalizationError(f"unreadable ISO 2709 record: {exc}") from exc


def record_from_marcxml(payload: bytes) -> Record:
    """Decode one MARCXML ``<record>`` (or a ``<collection>`` holding exactly one).

    Records without the MARC 21 slim namespace, as some exports write them, and
    MarcXchange records are read as if they had it.
    """
    root = parse_xml(payload)
    element = _the_record(root)
    found = namespace(element.tag)
    if found != MARC_NS and found in _MARC_LIKE_NAMESPACES:
        _adopt_marc_namespace(element, found)
    try:
        return record_from_element(element)
    except MarcXmlError as exc:
        raise NormalizationError(f"malformed MARCXML record: {exc}") from exc


def _the_record(root: etree._Element) -> etree._Element:
    name = local_name(root.tag)
    if name == "record":
        return root
    if name == "collection":
        records = [child for child in root if local_name(child.tag) == "record"]
        if len(records) != 1:
            raise NormalizationError(f"expected one MARCXML record, found {len(records)}")
        return records[0]
    raise NormalizationError(f"expected a MARCXML record, got <{name}>")


def _adopt_marc_namespace(element: etree._Element, found: str) -> None:
    for node in element.iter():
        if isinstance(node.tag, str) and namespace(node.tag) == found:
            node.tag = f"{{{MARC_NS}}}{local_name(node.tag)}"
