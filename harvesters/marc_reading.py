"""Tolerant, streaming readers of MARC files: ISO 2709 and MARCXML.

Each reader yields, in file order, one item per record it finds: a ``ReadRecord`` (the
record's raw bytes and its parsed pymarc Record) or a ``ReadFailure`` (where it was and
why it could not be read). Nothing found is dropped without a ``ReadFailure``, and a
broken record never stops the reading of the records after it. Memory stays bounded by
the largest record, not the file.

Each item carries a ``Position``; ``Position.index`` counts items from 0 and
``Position.end_offset`` (ISO 2709) is where the next item starts, so a reader can be
restarted exactly after any item.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree
from pymarc import Record

from harvesters.iso2709_parsing import control_number, parse_iso2709
from harvesters.marc_record import MarcDataError
from harvesters.marcxml_parsing import (
    MARCXML_NAMESPACES,
    is_marcxml_record,
    record_from_marcxml,
)
from harvesters.xml_safety import SAFE_OPTIONS

BLOCK = 1 << 20
# A record is at most 99,999 bytes by its leader, but real files hold bigger ones whose
# length field overflowed (1 MB HathiTrust serials); past this we give up on a record.
MAX_RECORD_BYTES = 16 << 20


@dataclass(frozen=True, slots=True)
class Position:
    """Where an item is in its file: its ordinal, and its bytes or its line."""

    index: int
    offset: int | None = None
    end_offset: int | None = None
    line: int | None = None

    def describe(self) -> str:
        """Human position: 'record 3 (byte 1234)' or 'record 3 (line 56)'."""
        where = []
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        if self.line is not None:
            where.append(f"line {self.line}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"record {self.index + 1}{suffix}"


@dataclass(slots=True)
class ReadRecord:
    """A record read: its bytes as found (ISO 2709) or serialized (MARCXML), and parsed."""

    position: Position
    raw: bytes
    record: Record
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ReadFailure:
    """Something in the file that could not be read as a record.

    ``fatal`` means reading stopped there (malformed XML): records after it, if any, are
    unread, so the file was not listed in full.
    """

    position: Position
    reason: str
    local_id: str | None = None
    fatal: bool = False


@dataclass(frozen=True, slots=True)
class Framed:
    """A record found by its framing and left unparsed, as the caller asked (another
    reader of the same file parses it)."""

    position: Position


ReadItem = ReadRecord | ReadFailure | Framed


# --------------------------------------------------------------------------- ISO 2709

# Bytes found between records in real files: newlines, NULs, DOS end-of-file (0x1A)
# markers and stray record terminators. They are not records, so skipping them loses
# nothing.
_FILLER = re.compile(rb"[\x00\t\n\r \x1a\x1d]*")


def read_iso2709(
    stream: BinaryIO,
    *,
    start_offset: int = 0,
    start_index: int = 0,
    legacy_encoding: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
    parse: Callable[[int], bool] | None = None,
) -> Iterator[ReadItem]:
    """Read ISO 2709 records from ``stream`` (a binary file opened for reading).

    A record is framed by its leader's 5-digit length when the byte there is a record
    terminator, otherwise by the next terminator (the resynchronisation after garbage or
    a wrong length). Reading starts at byte ``start_offset`` with item number
    ``start_index``. When ``parse`` is given, a framed record whose item number it
    refuses is yielded as ``Framed``, unparsed.
    """
    stream.seek(start_offset)
    buffer = _Buffer(stream, start_offset)
    index = start_index
    while True:
        if not buffer.skip_filler():
            return
        start = buffer.offset
        raw, reason = buffer.take_record(max_record_bytes)
        position = Position(index, start, buffer.offset)
        index += 1
        if reason is not None:
            yield ReadFailure(position, reason, control_number(raw) if raw else None)
            continue
        if parse is not None and not parse(position.index):
            yield Framed(position)
            continue
        try:
            parsed = parse_iso2709(raw, legacy_encoding=legacy_encoding)
        except MarcDataError as exc:
            yield ReadFailure(position, exc.reason, control_number(raw))
            continue
        except (ValueError, IndexError) as exc:  # a defect the parser did not foresee
            yield ReadFailure(position, f"unreadable record: {exc!r}", control_number(raw))
            continue
        yield ReadRecord(position, raw, parsed.record, parsed.notes)


class _Buffer:
    """A window on the file: ``data[pos:]`` are the unread bytes at file ``offset``."""

    __slots__ = ("data", "eof", "origin", "pos", "stream")

    def __init__(self, stream: BinaryIO, offset: int) -> None:
        self.stream = stream
        self.data = b""
        self.pos = 0
        self.origin = offset  # file offset of data[0]
        self.eof = False

    @property
    def offset(self) -> int:
        return self.origin + self.pos

    def _fill(self, wanted: int) -> bool:
        """Make ``wanted`` unread bytes available; False if the file ends first."""
        while len(self.data) - self.pos < wanted:
            if self.eof:
                return False
            more = self.stream.read(max(BLOCK, wanted))
            if not more:
                self.eof = True
                return False
            # Drop what is consumed so memory holds one block plus one record.
            self.origin += self.pos
            self.data = self.data[self.pos :] + more
            self.pos = 0
        return True

    def skip_filler(self) -> bool:
        """Skip bytes between records; False at the end of the file."""
        while True:
            self.pos = _FILLER.match(self.data, self.pos).end()
            if self.pos < len(self.data):
                return True
            if not self._fill(1):
                return False

    def take_record(self, limit: int) -> tuple[bytes, str | None]:
        """Consume one record; return its bytes and, if it cannot be a record, why."""
        data, pos = self.data, self.pos
        if self._fill(5):
            data, pos = self.data, self.pos
            head = data[pos : pos + 5]
            if head.isdigit():
                length = int(head)
                if length > 24 and self._fill(length):
                    data, pos = self.data, self.pos
                    end = pos + length - 1
                    # Trust the length only if it ends on a terminator and passes none:
                    # a record missing its terminator must not swallow the next one.
                    if data[end] == 0x1D and data.find(b"\x1d", pos, end) < 0:
                        self.pos = end + 1
                        return data[pos : end + 1], None
        return self._take_to_terminator(limit)

    def _take_to_terminator(self, limit: int) -> tuple[bytes, str | None]:
        searched = 0  # bytes after ``pos`` known to hold no terminator
        while True:
            found = self.data.find(b"\x1d", self.pos + searched)
            if found >= 0:
                if found + 1 - self.pos > limit:
                    return b"", self._discard_oversized(limit)
                raw = self.data[self.pos : found + 1]
                self.pos = found + 1
                return raw, None
            searched = len(self.data) - self.pos
            if searched > limit:
                return b"", self._discard_oversized(limit)
            if not self._fill(searched + 1):
                raw = self.data[self.pos :]
                self.pos = len(self.data)
                return raw, _unterminated(raw)

    def _discard_oversized(self, limit: int) -> str:
        """Skip to after the next terminator without holding the bytes in memory."""
        skipped = 0
        while True:
            found = self.data.find(b"\x1d", self.pos)
            if found >= 0:
                skipped += found + 1 - self.pos
                self.pos = found + 1
                return f"no record terminator within {limit} bytes; {skipped} bytes skipped"
            skipped += len(self.data) - self.pos
            self.pos = len(self.data)
            if not self._fill(1):
                return f"no record terminator within {limit} bytes; {skipped} bytes skipped"


def _unterminated(raw: bytes) -> str:
    head = raw[:5]
    if len(head) == 5 and head.isdigit() and int(head) > len(raw):
        return (
            f"file ends {len(raw)} bytes into a record whose leader declares "
            f"{int(head)} bytes (truncated)"
        )
    return f"{len(raw)} byte(s) at the end of the file without a record terminator"


# --------------------------------------------------------------------------- MARCXML

_RECORD_TAGS = ["record", *(f"{{{ns}}}record" for ns in sorted(MARCXML_NAMESPACES))]
_FIELD_NAMES = frozenset({"leader", "controlfield", "datafield"})
_REPLACED = "\ufffd".encode()


def read_marcxml(stream: BinaryIO, *, skip: int = 0) -> Iterator[ReadItem]:
    """Read MARCXML records from ``stream``: a ``collection``, a bare ``record``, or
    records inside any other XML (SRU responses, OAI-PMH ``metadata``).

    The parser expands no entity and fetches nothing (a record that uses an entity is
    refused); characters XML forbids (control bytes, invalid UTF-8) become U+FFFD and
    are noted on their record. The first ``skip`` items are passed over unparsed, to
    resume after them.
    """
    source = _XmlSanitizer(stream)
    reader = _MarcXmlWalk(source, skip)
    yield from reader.walk()


class _MarcXmlWalk:
    """One pass over a MARCXML document with ``iterparse``, clearing as it goes."""

    def __init__(self, source: _XmlSanitizer, skip: int) -> None:
        self.source = source
        self.skip = skip
        self.index = 0
        self.records = 0
        self.root: etree._Element | None = None

    def walk(self) -> Iterator[ReadItem]:
        events = etree.iterparse(
            self.source,
            events=("start", "end"),
            tag=_RECORD_TAGS,
            **SAFE_OPTIONS,
        )
        # True once a record element is seen inside the open one: that one is a wrapper.
        open_records: list[bool] = []
        last_line: int | None = None
        try:
            for event, element in events:
                if self.root is None:
                    self.root = element.getroottree().getroot()
                if event == "start":
                    if open_records:
                        open_records[-1] = True
                    open_records.append(False)
                    last_line = element.sourceline
                    continue
                if open_records.pop():
                    continue  # a wrapper; its inner records were read already
                yield from self._record(element)
                yield from self._release(element)
        except etree.LxmlError as exc:
            line = getattr(exc, "lineno", None) or last_line
            message = getattr(exc, "msg", None) or str(exc)
            column = f", column {exc.offset}" if getattr(exc, "offset", None) else ""
            yield ReadFailure(
                Position(self.index, line=line),
                f"XML is not well-formed at line {line}{column}: {message}; "
                "the rest of the file cannot be read",
                fatal=True,
            )
            return
        self.root = events.root if events.root is not None else self.root
        yield from self._leftovers()

    def _record(self, element: etree._Element) -> Iterator[ReadItem]:
        position = Position(self.index, line=element.sourceline)
        self.index += 1
        self.records += 1
        if position.index < self.skip:
            return
        try:
            parsed = record_from_marcxml(element)
        except MarcDataError as exc:
            yield ReadFailure(position, exc.reason, _xml_control_number(element))
            return
        except (ValueError, TypeError) as exc:  # a defect the converter did not foresee
            reason = f"unreadable record: {exc!r}"
            yield ReadFailure(position, reason, _xml_control_number(element))
            return
        raw = etree.tostring(element, encoding="utf-8", xml_declaration=False, with_tail=False)
        if self.source.replaced and _REPLACED in raw:
            parsed.notes.append(
                "characters not allowed in XML (control bytes or invalid UTF-8) "
                "were replaced by U+FFFD"
            )
        yield ReadRecord(position, raw, parsed.record, parsed.notes)

    def _release(self, element: etree._Element) -> Iterator[ReadItem]:
        """Free the record and everything before it; report MARC fields found outside
        any record on the way."""
        element.clear(keep_tail=False)
        node = element
        while (parent := node.getparent()) is not None:
            while (previous := node.getprevious()) is not None:
                yield from self._strays(previous)
                del parent[0]
            node = parent

    def _strays(self, element: etree._Element) -> Iterator[ReadFailure]:
        for node in element.iter(etree.Element):
            namespace, _, local = (
                node.tag[1:].rpartition("}") if node.tag[0] == "{" else ("", "", node.tag)
            )
            if local in _FIELD_NAMES and (not namespace or namespace in MARCXML_NAMESPACES):
                position = Position(self.index, line=node.sourceline)
                self.index += 1
                if position.index >= self.skip:
                    tag = node.get("tag")
                    what = f"{local} {tag}" if tag else local
                    yield ReadFailure(
                        position, f"{what} outside any record at line {node.sourceline} ignored"
                    )

    def _leftovers(self) -> Iterator[ReadFailure]:
        root = self.root
        if root is None:
            return
        if not is_marcxml_record(root):
            yield from self._strays(root)
        local = etree.QName(root).localname
        if self.records == 0 and local not in {"collection", "record"}:
            position = Position(self.index, line=root.sourceline)
            self.index += 1
            if position.index >= self.skip:
                yield ReadFailure(position, f"no MARCXML records in this <{local}> document")


def _xml_control_number(element: etree._Element) -> str | None:
    for child in element:
        if (
            isinstance(child.tag, str)
            and child.tag.endswith("controlfield")
            and child.get("tag") == "001"
            and child.text
            and child.text.strip()
        ):
            return child.text.strip()
    return None


# Characters XML 1.0 forbids that turn up in real exports (MARC delimiters, escapes).
_XML_FORBIDDEN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


class _XmlSanitizer:
    """A read-only file object over the XML that replaces what XML forbids by U+FFFD.

    A UTF-8 document (declared or not) is decoded and re-encoded so invalid sequences
    become U+FFFD; in a document declared in an ASCII-compatible code page, forbidden
    control bytes become the character reference for U+FFFD. UTF-16 passes untouched.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.replaced = 0
        head = raw.read(BLOCK)
        self.mode = _sniff(head)
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.out = self._clean(head)  # cleaned bytes not yet handed out, from ``pos``
        self.pos = 0
        self.done = not head

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` cleaned bytes (all that is left if ``size`` is negative)."""
        if size < 0:
            parts = [self.out[self.pos :]]
            while not self.done:
                parts.append(self._next_block())
            self.out, self.pos = b"", 0
            return b"".join(parts)
        while self.pos >= len(self.out) and not self.done:
            self.out, self.pos = self._next_block(), 0
        data = self.out[self.pos : self.pos + size]
        self.pos += len(data)
        return data

    def _next_block(self) -> bytes:
        chunk = self.raw.read(BLOCK)
        if chunk:
            return self._clean(chunk)
        self.done = True
        if self.mode == "utf-8":
            return self._text(self.decoder.decode(b"", final=True), b"")
        return b""

    def _clean(self, chunk: bytes) -> bytes:
        if self.mode == "utf-8":
            return self._text(self.decoder.decode(chunk), chunk)
        if self.mode == "bytes" and _XML_FORBIDDEN_BYTES.search(chunk):
            chunk, count = _XML_FORBIDDEN_BYTES.subn(b"&#xFFFD;", chunk)
            self.replaced += count
        return chunk

    def _text(self, text: str, chunk: bytes) -> bytes:
        # U+FFFD the decoder put in, not those the document already had.
        self.replaced += max(0, text.count("\ufffd") - chunk.count(_REPLACED))
        if _XML_FORBIDDEN_TEXT.search(text):
            text, count = _XML_FORBIDDEN_TEXT.subn("\ufffd", text)
            self.replaced += count
        return text.encode("utf-8")


def _sniff(head: bytes) -> str:
    """'utf-8', 'bytes' (an ASCII-compatible code page) or 'raw' (leave it alone)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "raw"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    match = _DECLARED_ENCODING.match(head)
    if match is None:
        return "utf-8"
    name = match.group(1).decode("ascii")
    try:
        info = codecs.lookup(name)
    except LookupError:
        return "raw"  # let the parser report the unknown encoding
    if info.name == "utf-8":
        return "utf-8"
    try:
        ascii_compatible = "<?xml".encode(info.name) == b"<?xml"
    except (UnicodeError, LookupError):
        ascii_compatible = False
    return "bytes" if ascii_compatible and "16" not in info.name else "raw"
