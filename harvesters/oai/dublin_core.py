"""oai_dc metadata checks: strict for the standard profile, tolerant for quirky servers (pure).

oai_dc allows exactly the fifteen Dublin Core 1.1 elements. The standard profile holds
servers to that, so a record carrying anything else is skipped with the reason. SLiMS
writes DCMI Terms refinements in the ``dc`` namespace (``dc:extent``, ``dc:hasPart``...),
invented ones (``dc:identifier_isbn``) and an ``<image>``; its profile accepts them as
they are, since they carry meaning (item barcodes, edition, ISBN) that the catalogue's
Dublin Core reader knows how to take. Neither check rewrites anything: the payload is
what the server sent.
"""

from __future__ import annotations

from lxml import etree

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_ROOT = "{" + OAI_DC_NS + "}dc"
_D = "{" + DC_NS + "}"
DC_ELEMENTS = frozenset({
    "title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
    "format", "identifier", "source", "language", "relation", "coverage", "rights",
})


class DublinCoreError(ValueError):
    """The metadata is not (acceptable) oai_dc."""


def check_oai_dc_root(element: etree._Element) -> etree._Element:
    """Return ``element`` if it is an ``oai_dc:dc`` element, whatever it holds."""
    if element.tag != _ROOT:
        raise DublinCoreError(f"metadata is {element.tag!r}, not oai_dc:dc")
    return element


def check_oai_dc(element: etree._Element) -> etree._Element:
    """Return ``element`` if it is valid oai_dc (the standard profile), else raise."""
    check_oai_dc_root(element)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue  # comments and processing instructions are harmless
        if not tag.startswith(_D) or tag[len(_D):] not in DC_ELEMENTS:
            raise DublinCoreError(f"element {_readable(tag)} is not allowed in oai_dc")
        if len(child):
            raise DublinCoreError(f"element {_readable(tag)} has child elements")
    return element


def _readable(tag: str) -> str:
    qname = etree.QName(tag)
    if qname.namespace == DC_NS:
        return f"dc:{qname.localname}"
    return tag
