"""Build each verb's response document (OAI-PMH 2.0, valid against OAI-PMH.xsd).

Pure: values in, a list of string chunks out (the HTTP edge joins or streams them).
Strings rather than lxml trees because a page of records is built several times faster
this way; :mod:`.xmltext` escapes every value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from union.feed.datestamps import GRANULARITY, format_utc
from union.feed.dublin_core import DC_NAMESPACE
from union.feed.dublin_core import NAMESPACE as OAI_DC_NAMESPACE
from union.feed.dublin_core import SCHEMA as OAI_DC_SCHEMA
from union.feed.errors import UNECHOED, OaiError
from union.feed.formats import MetadataFormat
from union.feed.records import FeedRecord, FeedSet
from union.feed.xmltext import attribute, text

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
IDENTIFIER_NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai-identifier"
IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_DECLARATION = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<OAI-PMH xmlns="{OAI_NAMESPACE}" xmlns:xsi="{_XSI}" '
    f'xsi:schemaLocation="{OAI_NAMESPACE} {OAI_SCHEMA}">'
)
_END = "</OAI-PMH>\n"


@dataclass(frozen=True, slots=True)
class Envelope:
    """What every response starts with: the responseDate and the ``<request>`` element
    (base URL, and the verb and arguments to echo when they were valid)."""

    response_date: datetime
    base_url: str
    verb: str | None = None
    arguments: tuple[tuple[str, str], ...] = ()

    def open(self, echo: bool = True) -> str:
        """The document up to and including ``<request>``."""
        attributes = ""
        if echo and self.verb is not None:
            pairs = (("verb", self.verb), *self.arguments)
            attributes = "".join(f' {name}="{attribute(value)}"' for name, value in pairs)
        return (f"{_DECLARATION}<responseDate>{format_utc(self.response_date)}</responseDate>"
                f"<request{attributes}>{text(self.base_url)}</request>")


@dataclass(frozen=True, slots=True)
class RepositoryInfo:
    """What Identify reports besides the base URL."""

    repository_name: str
    admin_emails: tuple[str, ...]
    earliest_datestamp: datetime
    domain: str
    sample_identifier: str


@dataclass(frozen=True, slots=True)
class ResumptionToken:
    """A ``<resumptionToken>``; an empty ``value`` marks the last page of a list."""

    value: str
    cursor: int
    complete_list_size: int

    def element(self) -> str:
        """The element, with cursor and completeListSize."""
        return (f'<resumptionToken completeListSize="{self.complete_list_size}" '
                f'cursor="{self.cursor}">{text(self.value)}</resumptionToken>')


def error(envelope: Envelope, errors: Sequence[OaiError]) -> list[str]:
    """An error response; ``<request>`` echoes nothing on badVerb and badArgument."""
    echo = not any(e.code in UNECHOED for e in errors)
    body = "".join(f'<error code="{e.code}">{text(e.message)}</error>' for e in errors)
    return [envelope.open(echo), body, _END]


def identify(envelope: Envelope, info: RepositoryInfo) -> list[str]:
    """The Identify response: deletions persistent, granularity to the second, and an
    oai-identifier description of the identifier scheme."""
    emails = "".join(f"<adminEmail>{text(email)}</adminEmail>" for email in info.admin_emails)
    description = (
        f'<description><oai-identifier xmlns="{IDENTIFIER_NAMESPACE}" '
        f'xsi:schemaLocation="{IDENTIFIER_NAMESPACE} {IDENTIFIER_SCHEMA}">'
        "<scheme>oai</scheme>"
        f"<repositoryIdentifier>{text(info.domain)}</repositoryIdentifier>"
        "<delimiter>:</delimiter>"
        f"<sampleIdentifier>{text(info.sample_identifier)}</sampleIdentifier>"
        "</oai-identifier></description>"
    )
    body = (
        f"<Identify><repositoryName>{text(info.repository_name)}</repositoryName>"
        f"<baseURL>{text(envelope.base_url)}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"{emails}"
        f"<earliestDatestamp>{format_utc(info.earliest_datestamp)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        f"<granularity>{GRANULARITY}</granularity>"
        f"{description}</Identify>"
    )
    return [envelope.open(), body, _END]


def list_metadata_formats(envelope: Envelope, formats: Iterable[MetadataFormat]) -> list[str]:
    """The ListMetadataFormats response."""
    body = "".join(
        f"<metadataFormat><metadataPrefix>{text(f.prefix)}</metadataPrefix>"
        f"<schema>{text(f.schema)}</schema>"
        f"<metadataNamespace>{text(f.namespace)}</metadataNamespace></metadataFormat>"
        for f in formats
    )
    return [envelope.open(), "<ListMetadataFormats>", body, "</ListMetadataFormats>", _END]


def _set(feed_set: FeedSet) -> str:
    description = ""
    if feed_set.description:
        description = (
            f'<setDescription><oai_dc:dc xmlns:oai_dc="{OAI_DC_NAMESPACE}" '
            f'xmlns:dc="{DC_NAMESPACE}" '
            f'xsi:schemaLocation="{OAI_DC_NAMESPACE} {OAI_DC_SCHEMA}">'
            f"<dc:description>{text(feed_set.description)}</dc:description>"
            "</oai_dc:dc></setDescription>"
        )
    return (f"<set><setSpec>{text(feed_set.spec)}</setSpec>"
            f"<setName>{text(feed_set.name)}</setName>{description}</set>")


def list_sets(envelope: Envelope, sets: Iterable[FeedSet]) -> list[str]:
    """The ListSets response (every set in one response: there are few)."""
    return [envelope.open(), "<ListSets>", "".join(map(_set, sets)), "</ListSets>", _END]


def header(identifier_prefix: str, record: FeedRecord) -> str:
    """A record's ``<header>``; ``identifier_prefix`` is ``oai:{domain}:``, escaped."""
    opening = '<header status="deleted">' if record.deleted else "<header>"
    specs = "".join(f"<setSpec>{text(spec)}</setSpec>" for spec in record.sets)
    return (f"{opening}<identifier>{identifier_prefix}{text(record.work_id)}</identifier>"
            f"<datestamp>{format_utc(record.datestamp)}</datestamp>{specs}</header>")


def record(identifier_prefix: str, feed_record: FeedRecord, fmt: MetadataFormat) -> str:
    """A ``<record>``: the header, and the metadata unless the work is deleted."""
    head = header(identifier_prefix, feed_record)
    if feed_record.deleted:
        return f"<record>{head}</record>"
    rendered = feed_record.rendered
    metadata = rendered.get(fmt.prefix) if rendered else None
    if metadata is None:
        metadata = fmt.render(feed_record)
    return f"<record>{head}<metadata>{metadata}</metadata></record>"


def get_record(envelope: Envelope, identifier_prefix: str, feed_record: FeedRecord,
               fmt: MetadataFormat) -> list[str]:
    """The GetRecord response."""
    return [envelope.open(), "<GetRecord>", record(identifier_prefix, feed_record, fmt),
            "</GetRecord>", _END]


def list_identifiers(envelope: Envelope, identifier_prefix: str,
                     records: Iterable[FeedRecord], token: ResumptionToken | None) -> list[str]:
    """One page of ListIdentifiers."""
    chunks = [envelope.open(), "<ListIdentifiers>"]
    chunks.extend(header(identifier_prefix, r) for r in records)
    chunks += [token.element() if token else "", "</ListIdentifiers>", _END]
    return chunks


def list_records(envelope: Envelope, identifier_prefix: str, records: Iterable[FeedRecord],
                 fmt: MetadataFormat, token: ResumptionToken | None) -> list[str]:
    """One page of ListRecords."""
    chunks = [envelope.open(), "<ListRecords>"]
    chunks.extend(record(identifier_prefix, r, fmt) for r in records)
    chunks += [token.element() if token else "", "</ListRecords>", _END]
    return chunks
