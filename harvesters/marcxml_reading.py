"""A tolerant, streaming reader of MARCXML documents.

Records are found wherever they are (a ``collection``, a bare ``record``, or inside SRU
or OAI-PMH wrappers) with ``iterparse``, clearing as it goes, so memory stays bounded by
the largest record. Characters XML forbids are replaced on the way in and noted on their
record; malformed XML ends the reading with a fatal ``ReadFailure``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator, Iterator
from typing import BinaryIO

from lxml import etree

from harvesters.marc_reading import Position, ReadFailure, ReadItem, ReadRecord
from harvesters.marc_record import MarcDataError
from harvesters.marcxml_parsing import (
    MARCXML_NAMESPACES,
    is_marcxml_record,
    record_from_marcxml,
)
from harvesters.xml_safety import SAFE_OPTIONS

BLOCK = 1 << 20

_RECORD_TAGS = ["record", *(f"{{{ns}}}record" for ns in sorted(MARCXML_NAMESPACES))]
_FIELD_NAMES = frozenset({"leader", "controlfield", "datafield"})
_REPLACED = "\ufffd".encode()


def read_marcxml(stream: BinaryIO, *, skip: int = 0) -> Generator[ReadItem, None, None]:
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
