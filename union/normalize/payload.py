"""Stored source-record payloads (ISO 2709 bytes, one MARCXML record) -> pymarc Record."""

from __future__ import annotations

from lxml import etree
from pymarc import Record

from harvesters.marc_parsing import MarcDataError, parse_iso2709
from harvesters.oai.marcxml import MARC_NS, MarcXmlError, record_from_element
from union.normalize.errors import NormalizationError
from union.normalize.xml import local_name, namespace, parse_xml

# MarcXchange (ISO 25577) is MARCXML under another name; bare records have no namespace.
_MARC_LIKE_NAMESPACES = frozenset(
    {"", "info:lc/xmlns/marcxchange-v1", "info:lc/xmlns/marcxchange-v2"}
)


def record_from_iso2709(payload: bytes) -> Record:
    """Decode one stored ISO 2709 record exactly as the harvester read it (same repairs,
    same MARC-8 / lying-leader handling)."""
    if not payload:
        raise NormalizationError("empty ISO 2709 payload")
    try:
        return parse_iso2709(payload).record
    except MarcDataError as exc:
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
