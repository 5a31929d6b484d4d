"""Stored source-record payloads (ISO 2709 bytes, one MARCXML record) -> pymarc Record."""

from __future__ import annotations

from lxml import etree
from pymarc import Record

from harvesters.iso2709_parsing import parse_iso2709
from harvesters.marc_record import MarcDataError
from harvesters.marcxml_parsing import record_from_marcxml
from union.normalize.errors import NormalizationError
from union.normalize.xml import local_name, parse_xml


def record_from_iso2709(payload: bytes) -> Record:
    """Decode one stored ISO 2709 record exactly as the harvester read it (same repairs,
    same MARC-8 / lying-leader handling)."""
    if not payload:
        raise NormalizationError("empty ISO 2709 payload")
    try:
        return parse_iso2709(payload).record
    except MarcDataError as exc:
        raise NormalizationError(f"unreadable ISO 2709 record: {exc}") from exc


def record_from_marcxml_payload(payload: bytes) -> Record:
    """Decode one stored MARCXML ``<record>`` (or a ``<collection>`` holding exactly one)
    with the harvester's own reader (MARC 21 slim, MarcXchange or no namespace)."""
    element = _the_record(parse_xml(payload))
    try:
        return record_from_marcxml(element).record
    except MarcDataError as exc:
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

