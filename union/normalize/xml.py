"""The one way this package parses XML: no entities, no network, no DTDs."""

from __future__ import annotations

from lxml import etree

from harvesters.xml_safety import safe_parser
from union.normalize.errors import NormalizationError


def parse_xml(payload: bytes) -> etree._Element:
    """Parse ``payload`` safely and return its root element; NormalizationError if it is
    not well-formed XML."""
    if not payload or not payload.strip():
        raise NormalizationError("empty XML payload")
    try:
        return etree.fromstring(payload, safe_parser(remove_comments=True, remove_pis=True))
    except etree.XMLSyntaxError as exc:
        raise NormalizationError(f"malformed XML: {exc}") from exc


def local_name(tag: object) -> str | None:
    """The local part of an element tag, or None for comments and processing instructions."""
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """The namespace URI of a Clark-notation tag ("" when it has none)."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def element_text(element: etree._Element) -> str:
    """All text inside ``element`` (children included), unnormalized. Unresolved entity
    references contribute nothing (``itertext`` would yield them as "&name;")."""
    text: str = etree.tostring(element, method="text", encoding="unicode", with_tail=False)
    return text
