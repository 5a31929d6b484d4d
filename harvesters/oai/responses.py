"""Safe parsing of OAI-PMH responses into plain structures (pure: bytes in, data out).

The parser never resolves entities, never touches the network and keeps libxml2's size
limits; a response that declares a DTD at all is refused, since OAI-PMH never needs one
and a DTD is how entity-expansion and external-entity attacks arrive. What is merely
broken (truncated, not XML, not OAI-PMH) is :class:`MalformedResponse`, which the client
retries; what is hostile is :class:`UnsafeResponse`, which it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from harvesters.xml_safety import safe_parser

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_O = "{" + OAI_NS + "}"
_ROOT = _O + "OAI-PMH"
_RESPONSE_DATE = _O + "responseDate"
_ERROR = _O + "error"
_RECORD = _O + "record"
_HEADER = _O + "header"
_METADATA = _O + "metadata"
_IDENTIFIER = _O + "identifier"
_DATESTAMP = _O + "datestamp"
_SET_SPEC = _O + "setSpec"
_TOKEN = _O + "resumptionToken"
_VERBS = (
    "Identify",
    "ListRecords",
    "ListIdentifiers",
    "GetRecord",
    "ListSets",
    "ListMetadataFormats",
)
# A DOCTYPE must come before the root element, so looking at the start is enough to refuse
# one before libxml2 reads it; the check after parsing catches a prolog longer than this.
_PROLOG_SCAN = 16384


class MalformedResponse(Exception):
    """The body is not a well-formed OAI-PMH response (possibly a transient fault)."""


class UnsafeResponse(Exception):
    """The body tries something no OAI-PMH response needs (a DTD, entities)."""


@dataclass(frozen=True, slots=True)
class OaiError:
    """One ``<error code="...">message</error>`` of a response."""

    code: str
    message: str


@dataclass(slots=True)
class Header:
    """A record header, with its texts as sent (the profile interprets them)."""

    identifier: str | None
    datestamp: str | None
    deleted: bool
    set_specs: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RecordEntry:
    """One ``<record>``: its header and the element children of ``<metadata>``."""

    header: Header
    metadata: list[etree._Element]


@dataclass(frozen=True, slots=True)
class ResumptionToken:
    """The list's continuation: ``value`` None means the list is complete."""

    value: str | None
    complete_list_size: int | None = None
    cursor: int | None = None


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed response: its ``responseDate`` text, errors, and the verb element."""

    response_date: str | None
    errors: list[OaiError]
    verb: etree._Element | None


@dataclass(frozen=True, slots=True)
class IdentifyInfo:
    """What the harvester needs from Identify."""

    repository_name: str | None
    granularity: str | None
    earliest_datestamp: str | None
    deleted_record: str | None


def parse_envelope(body: bytes) -> Envelope:
    """Parse a response body; raises MalformedResponse or UnsafeResponse."""
    if b"<!DOCTYPE" in body[:_PROLOG_SCAN] or b"<!ENTITY" in body[:_PROLOG_SCAN]:
        raise UnsafeResponse("response declares a DTD or entities; refused")
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"not well-formed XML: {exc}") from None
    if root is None:
        raise MalformedResponse("empty document")
    if root.getroottree().docinfo.doctype:
        raise UnsafeResponse("response declares a DTD; refused")
    if root.tag != _ROOT:
        raise MalformedResponse(f"root element is {root.tag!r}, not OAI-PMH")
    response_date: str | None = None
    errors: list[OaiError] = []
    verb: etree._Element | None = None
    for child in root:
        tag = child.tag
        if tag == _RESPONSE_DATE:
            response_date = (child.text or "").strip() or None
        elif tag == _ERROR:
            message = " ".join((child.text or "").split())
            errors.append(OaiError(child.get("code", "").strip(), message))
        elif isinstance(tag, str) and tag.startswith(_O) and tag[len(_O) :] in _VERBS:
            verb = child
    return Envelope(response_date, errors, verb)


def _require_verb(envelope: Envelope, name: str) -> etree._Element:
    if envelope.verb is None or envelope.verb.tag != _O + name:
        raise MalformedResponse(f"response has neither an error nor a {name} element")
    return envelope.verb


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return (element.text or "").strip() or None


def _int_attr(element: etree._Element, name: str) -> int | None:
    value = element.get(name)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _token(element: etree._Element) -> ResumptionToken:
    return ResumptionToken(
        _text(element), _int_attr(element, "completeListSize"), _int_attr(element, "cursor")
    )


def _header(element: etree._Element) -> Header:
    identifier = datestamp = None
    sets: list[str] = []
    for child in element:
        tag = child.tag
        if tag == _IDENTIFIER:
            identifier = _text(child)
        elif tag == _DATESTAMP:
            datestamp = _text(child)
        elif tag == _SET_SPEC:
            spec = _text(child)
            if spec:
                sets.append(spec)
    return Header(identifier, datestamp, element.get("status") == "deleted", sets)


def list_records(envelope: Envelope) -> tuple[list[RecordEntry], ResumptionToken | None]:
    """The records of a ListRecords (or GetRecord) response and its resumption token."""
    verb = envelope.verb
    if verb is None or verb.tag not in (_O + "ListRecords", _O + "GetRecord"):
        raise MalformedResponse("response has neither an error nor a ListRecords element")
    entries: list[RecordEntry] = []
    token: ResumptionToken | None = None
    for child in verb:
        tag = child.tag
        if tag == _RECORD:
            header: Header | None = None
            metadata: list[etree._Element] = []
            for part in child:
                if part.tag == _HEADER:
                    header = _header(part)
                elif part.tag == _METADATA:
                    metadata = [m for m in part if isinstance(m.tag, str)]
            entries.append(RecordEntry(header or Header(None, None, False), metadata))
        elif tag == _TOKEN:
            token = _token(child)
    return entries, token


def list_identifiers(envelope: Envelope) -> tuple[list[Header], ResumptionToken | None]:
    """The headers of a ListIdentifiers response and its resumption token."""
    verb = _require_verb(envelope, "ListIdentifiers")
    headers: list[Header] = []
    token: ResumptionToken | None = None
    for child in verb:
        if child.tag == _HEADER:
            headers.append(_header(child))
        elif child.tag == _TOKEN:
            token = _token(child)
    return headers, token


def identify(envelope: Envelope) -> IdentifyInfo:
    """The parts of an Identify response the harvester uses."""
    verb = _require_verb(envelope, "Identify")
    return IdentifyInfo(
        repository_name=_text(verb.find(_O + "repositoryName")),
        granularity=_text(verb.find(_O + "granularity")),
        earliest_datestamp=_text(verb.find(_O + "earliestDatestamp")),
        deleted_record=_text(verb.find(_O + "deletedRecord")),
    )
