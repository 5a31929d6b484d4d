"""Turning parsed OAI-PMH records into HarvestedRecord or SkippedRecord (pure).

A record whose header or metadata cannot be read is skipped with its identifier, page
and reason; it never stops the page. Payloads are the metadata element in exclusive XML
canonical form, so the catalogue's content hash changes when the record changes, not
when the server reorders attributes or declares namespaces differently in the envelope.

Conversion runs in two steps: :func:`read_entries` needs the parsed response (headers,
canonical payloads) and :func:`finish_records` needs only what it read (MARC parsed from
the canonical payload), so the second can run in another process (:class:`RawPage`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from lxml import etree

from harvesters.marcxml_parsing import (
    canonical_may_be_plain,
    record_from_marcxml,
    record_from_plain_canonical,
)
from harvesters.oai.profiles import ServerProfile, get_profile
from harvesters.oai.responses import (
    Header,
    RecordEntry,
    list_records,
    parse_envelope,
)
from harvesters.records import MARCXML, OAI_DC, HarvestedRecord, Page, SkippedRecord

# metadataPrefix → payload format. Prefixes are the server's choice; these are the usual.
PREFIX_FORMATS = {
    "oai_dc": OAI_DC,
    "marc21": MARCXML,
    "MARC21": MARCXML,
    "marcxml": MARCXML,
    "MARCXML": MARCXML,
    "marc": MARCXML,
    "marc21slim": MARCXML,
}


@dataclass(frozen=True, slots=True)
class Pending:
    """A MARCXML record read up to its canonical payload, its MARC not yet parsed.

    ``plain`` says the canonical form alone may give the MARC; ``index`` is the entry's
    place in its page, where the element walk finds it when the canonical form does not.
    """

    record: HarvestedRecord
    index: int
    plain: bool

    def __reduce__(self) -> tuple[type[Pending], tuple[Any, ...]]:
        # A plain tuple crosses processes faster than the dataclass default (a state
        # dict built field by field); a page holds hundreds.
        return Pending, (self.record, self.index, self.plain)


Read = HarvestedRecord | SkippedRecord | Pending


@dataclass(frozen=True, slots=True)
class RawPage:
    """One ListRecords page as fetched and read as far as its tree is needed (``reads``:
    each entry's record, skip or pending MARC, in order), with everything else a
    :class:`Page` holds.

    Fetching stays in order behind resumption tokens, but what is left (parsing the MARC,
    and then normalizing) needs only the reads, so pages can be finished in other
    processes (:meth:`PageConverter.convert`). The response ``body`` is kept for the rare
    record only the element walk reads; it is parsed again only then.
    """

    body: bytes
    url: str
    number: int
    checkpoint: dict[str, Any]
    reads: tuple[Read, ...] = ()
    complete: bool = False
    response_date: datetime | None = None
    full_listing: bool = False


@dataclass(frozen=True, slots=True)
class PageConverter:
    """Turns a source's ListRecords entries into records (how its profile reads them)."""

    payload_format: str
    profile: ServerProfile

    @classmethod
    def of(cls, metadata_prefix: str, profile: str | ServerProfile = "standard",
           payload_format: str | None = None) -> PageConverter:
        """The converter for a metadataPrefix (or an explicit ``payload_format``)."""
        if payload_format is None:
            if metadata_prefix not in PREFIX_FORMATS:
                known = ", ".join(sorted(PREFIX_FORMATS))
                raise ValueError(
                    f"unknown metadataPrefix {metadata_prefix!r}: give "
                    f"payload_format, or use one of {known}"
                )
            payload_format = PREFIX_FORMATS[metadata_prefix]
        return cls(payload_format, get_profile(profile))

    def records(self, entries: list[RecordEntry],
                page: int) -> tuple[list[HarvestedRecord], list[SkippedRecord]]:
        """The harvested and the skipped records of page number ``page``."""
        return build_records(entries, payload_format=self.payload_format,
                             profile=self.profile, page=page)

    def read(self, entries: list[RecordEntry], page: int) -> tuple[Read, ...]:
        """The part of :meth:`records` that needs the entries' elements."""
        return tuple(read_entries(entries, payload_format=self.payload_format,
                                  profile=self.profile, page=page))

    def convert(self, raw: RawPage) -> Page:
        """The page a :class:`RawPage` holds, finished (see :func:`finish_records`)."""
        entries: list[RecordEntry] = []

        def element(index: int) -> etree._Element:
            # Parsed again as safely as when it was fetched, and only if needed.
            if not entries:
                entries.extend(list_records(parse_envelope(raw.body))[0])
            return entries[index].metadata[0]

        records, skipped = finish_records(raw.reads, element, page=raw.number)
        return Page(records, skipped, raw.checkpoint, raw.complete, raw.response_date,
                    raw.full_listing)


class _Skip(Exception):
    """Why one record is skipped."""


def canonical(element: etree._Element) -> bytes:
    """The element in exclusive XML canonical form.

    Exclusive C14N drops the namespaces the element merely inherits from the envelope;
    the prefixes the element itself declares stay on it (rather than being repeated on
    every child that uses them, as plain exclusive C14N would do for ``dc:``).
    """
    parent = element.getparent()
    inherited = parent.nsmap if parent is not None else {}
    own = [
        prefix
        for prefix, uri in element.nsmap.items()
        if prefix is not None and inherited.get(prefix) != uri
    ]
    return etree.tostring(
        element,
        method="c14n",
        exclusive=True,
        with_comments=False,
        inclusive_ns_prefixes=own or None,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while one page is converted.

    A MARC record becomes about a hundred container objects (fields, subfields, lists), so
    the collector would run every few records and walk the page's survivors again each
    time. Reference counting still frees garbage at once, and the collector resumes right
    after the page, so memory stays bounded by one page; conversion runs ~1.5x faster.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_records(
    entries: list[RecordEntry], *, payload_format: str, profile: ServerProfile, page: int
) -> tuple[list[HarvestedRecord], list[SkippedRecord]]:
    """The harvested records of one page, and the ones that had to be skipped."""
    reads = read_entries(entries, payload_format=payload_format, profile=profile, page=page)
    return finish_records(reads, lambda index: entries[index].metadata[0], page=page)


def read_entries(
    entries: list[RecordEntry], *, payload_format: str, profile: ServerProfile, page: int
) -> list[Read]:
    """Each entry read as far as its element is needed: its record (MARCXML still
    :class:`Pending` its MARC), or why it is skipped."""
    reads: list[Read] = []
    with _collector_paused():
        for index, entry in enumerate(entries):
            header = entry.header
            try:
                reads.append(_read(entry, index, header, payload_format, profile))
            except (_Skip, ValueError, etree.LxmlError) as exc:
                reads.append(_skipped(page, index, str(exc), header.identifier))
    return reads


def finish_records(
    reads: Iterable[Read], element: Callable[[int], etree._Element], *, page: int
) -> tuple[list[HarvestedRecord], list[SkippedRecord]]:
    """The records and skips of a page's reads, parsing each pending MARC from its
    canonical payload or else by walking its element (``element(index)``)."""
    records: list[HarvestedRecord] = []
    skipped: list[SkippedRecord] = []
    with _collector_paused():
        for read in reads:
            if isinstance(read, Pending):
                record = read.record
                try:
                    marc = ((read.plain and record_from_plain_canonical(record.payload))
                            or record_from_marcxml(element(read.index)).record)
                except ValueError as exc:
                    skipped.append(_skipped(page, read.index, str(exc), record.local_id))
                    continue
                records.append(replace(record, marc=marc))
            elif isinstance(read, SkippedRecord):
                skipped.append(read)
            else:
                records.append(read)
    return records, skipped


def _skipped(page: int, index: int, reason: str, local_id: str | None) -> SkippedRecord:
    return SkippedRecord(f"page {page}, record {index + 1}", reason, local_id)


def _read(entry: RecordEntry, index: int, header: Header, payload_format: str,
          profile: ServerProfile) -> HarvestedRecord | Pending:
    if header.identifier is None:
        raise _Skip("header has no identifier")
    datestamp = _datestamp(header, profile)
    if header.deleted:
        return HarvestedRecord(header.identifier, payload_format, b"", datestamp, deleted=True)
    if len(entry.metadata) != 1:
        raise _Skip(f"expected one metadata element, found {len(entry.metadata)}")
    element = entry.metadata[0]
    if payload_format == MARCXML:
        return Pending(HarvestedRecord(header.identifier, MARCXML, canonical(element),
                                       datestamp), index, canonical_may_be_plain(element))
    if payload_format == OAI_DC:
        element = profile.oai_dc(element)
    return HarvestedRecord(header.identifier, payload_format, canonical(element), datestamp)


def _datestamp(header: Header, profile: ServerProfile) -> datetime | None:
    if header.datestamp is None:
        if profile.require_datestamp:
            raise _Skip("header has no datestamp")
        return None
    try:
        return profile.parse_datestamp(header.datestamp)
    except ValueError:
        if profile.require_datestamp:
            raise _Skip(f"unreadable datestamp {header.datestamp!r}") from None
        return None
