"""A small OAI-PMH 2.0 server that publishes a MARC file as a branch's feed.

It stands in for a branch's Koha or SLiMS in the demo, the tests and the benchmark:
Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords and GetRecord in
``marc21`` (MARCXML, alias ``marcxml``) and ``oai_dc``, with resumption tokens,
``from``/``until`` on datestamps taken from each record's 005 (or one fixed datestamp), and
records whose leader/05 is ``d`` published as deleted.

Built for 250,000-record files: at start it only indexes the file (the byte offset,
identifier and datestamp of each record, kept in arrays) and reads the file through
``mmap``; each page is rendered from the raw ISO 2709 bytes when asked for. UTF-8 records
are split by hand (pymarc is the slow part of a feed); MARC-8 records go through pymarc.

This is not the union catalogue's own strict provider; it is small but correct.
"""

from __future__ import annotations

import base64
import binascii
import mmap
import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pymarc
from aiohttp import web
from pymarc.exceptions import PymarcException

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
MARC_NS = "http://www.loc.gov/MARC21/slim"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
FORMATS = {
    "marc21": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
    "marcxml": ("http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", MARC_NS),
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
}
_VERB_ARGS: dict[str, tuple[set[str], set[str]]] = {  # verb → (required, optional)
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
_FIELD_END = b"\x1e"
_RECORD_END = 0x1D
# Characters XML 1.0 forbids; MARC data sometimes carries them (stray \x1f, ESC).
_INVALID_XML = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE,
                              0xFFFF])
_INVALID_BUT_1F = {code: None for code in _INVALID_XML if code != 0x1F}
# Forbidden bytes other than the structural \x1d\x1e\x1f (counted separately).
_FORBIDDEN_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1c]|\xef\xbf[\xbe\xbf]")
# What a damaged ISO 2709 record raises while being split.
_DAMAGE = (ValueError, IndexError, UnicodeError, PymarcException)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

Clock = Callable[[], datetime]


class OaiProblem(Exception):
    """An OAI-PMH error condition to answer with ``<error code=...>``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- the index --------------------------------------------------------------------------


@dataclass(slots=True)
class FeedIndex:
    """Where each record is in the data and what its header says; records in datestamp
    order (``order``, ``sorted_stamps``) so a ``from``/``until`` range is two bisections."""

    data: bytes | mmap.mmap
    offsets: array
    lengths: array
    stamps: array
    identifiers: list[str]
    deleted: bytearray
    order: array
    sorted_stamps: array
    by_identifier: dict[str, int]
    fingerprint: str
    invalid: int


def _control_fields(data: bytes | mmap.mmap, offset: int, length: int,
                    wanted: tuple[bytes, ...]) -> dict[bytes, bytes]:
    """The raw values of a few control fields, read straight from the directory."""
    base = int(data[offset + 12:offset + 17])
    if not 24 < base <= length or data[offset + length - 1] != _RECORD_END:
        raise ValueError("not a well-formed ISO 2709 record")
    found: dict[bytes, bytes] = {}
    for entry in range(offset + 24, offset + base - 1, 12):
        tag = data[entry:entry + 3]
        if tag in wanted:
            size = int(data[entry + 3:entry + 7])
            start = offset + base + int(data[entry + 7:entry + 12])
            found[bytes(tag)] = bytes(data[start:start + size]).rstrip(_FIELD_END)
    return found


def _stamp_005(value: bytes | None, default: int) -> int:
    """Seconds since the epoch of a 005 (yyyymmddhhmmss.f), or ``default``.

    005 is the cataloguing system's local time; the feed reads it as UTC, which keeps
    the order of changes, all that ``from``/``until`` need here.
    """
    if value is None or len(value) < 14 or not value[:14].isdigit():
        return default
    try:
        moment = datetime.strptime(value[:14].decode("ascii"), "%Y%m%d%H%M%S")
    except ValueError:
        return default
    return int(moment.replace(tzinfo=UTC).timestamp())


def index_marc(data: bytes | mmap.mmap, *, fixed: datetime | None, default: datetime,
               repository_id: str) -> FeedIndex:
    """Index every record of an ISO 2709 byte string (or mmap)."""
    offsets, lengths, stamps = array("q"), array("q"), array("q")
    identifiers: list[str] = []
    deleted = bytearray()
    by_identifier: dict[str, int] = {}
    fixed_stamp = int(fixed.timestamp()) if fixed else None
    default_stamp = int(default.timestamp())
    invalid = 0
    position, size = 0, len(data)
    while position < size:
        head = data[position:position + 5]
        if not head.isdigit() or int(head) < 26:
            # Not a record start: resynchronise after the next record terminator.
            end = data.find(bytes([_RECORD_END]), position)
            invalid += 1
            position = size if end < 0 else end + 1
            continue
        length = int(head)
        if position + length > size:
            invalid += 1  # a truncated last record
            break
        try:
            fields = _control_fields(data, position, length, (b"001", b"005"))
        except ValueError:
            invalid, position = invalid + 1, position + length
            continue
        number = len(offsets)
        local = fields.get(b"001", b"").decode("utf-8", "replace").strip()
        local = re.sub(r"\s+", "_", local) or f"rec{number + 1}"
        identifier = f"oai:{repository_id}:{local}"
        if identifier in by_identifier:
            identifier = f"{identifier}~{number + 1}"
        by_identifier[identifier] = number
        identifiers.append(identifier)
        offsets.append(position)
        lengths.append(length)
        stamps.append(fixed_stamp if fixed_stamp is not None
                      else _stamp_005(fields.get(b"005"), default_stamp))
        deleted.append(data[position + 5] == ord("d"))
        position += length
    order = array("q", sorted(range(len(offsets)), key=lambda i: (stamps[i], i)))
    sorted_stamps = array("q", (stamps[i] for i in order))
    fingerprint = f"{size:x}{sum(stamps) & 0xFFFFFF:x}{len(offsets):x}"
    return FeedIndex(data, offsets, lengths, stamps, identifiers, deleted, order,
                     sorted_stamps, by_identifier, fingerprint, invalid)


# -- rendering records ------------------------------------------------------------------

Parsed = tuple[str, list[tuple[str, str | None, str, str, list[tuple[str, str]]]]]


def _split_utf8(raw: bytes) -> Parsed:
    """Leader and fields of a UTF-8 ISO 2709 record, split by hand (fast)."""
    leader = raw[:24].decode("ascii", "replace")
    base = int(raw[12:17])
    fields = []
    for entry in range(24, base - 1, 12):
        tag = raw[entry:entry + 3].decode("ascii", "replace")
        size = int(raw[entry + 3:entry + 7])
        start = base + int(raw[entry + 7:entry + 12])
        text = raw[start:start + size].decode("utf-8", "replace").rstrip("\x1e")
        if tag < "010" and tag.isdigit():
            fields.append((tag, text, " ", " ", []))
        else:
            ind1, ind2 = (text[0:1] or " "), (text[1:2] or " ")
            subs = [(s[:1], s[1:]) for s in text[2:].split("\x1f")[1:] if s]
            fields.append((tag, None, ind1, ind2, subs))
    return leader, fields


def _split_pymarc(raw: bytes) -> Parsed:
    """Leader and fields of any record pymarc can read (MARC-8 included)."""
    record = pymarc.Record(raw, to_unicode=True, hide_utf8_warnings=True,
                           utf8_handling="replace")
    fields = []
    for field in record.fields:
        if field.control_field:
            fields.append((field.tag, field.data or "", " ", " ", []))
        else:
            ind = field.indicators or (" ", " ")
            subs = [(s.code, s.value) for s in field.subfields]
            fields.append((field.tag, None, ind[0] or " ", ind[1] or " ", subs))
    return str(record.leader), fields


def _parse(raw: bytes) -> Parsed:
    if raw[9:10] == b"a":
        return _split_utf8(raw)
    try:
        return _split_pymarc(raw)
    except _DAMAGE:
        # Broken MARC-8 (a cut escape sequence): read it as UTF-8 with replacements.
        return _split_utf8(raw)


def render_metadata(raw: bytes, prefix: str) -> str | None:
    """The metadata element of one record in ``prefix``, or None if it is too damaged."""
    try:
        return render_oai_dc(_parse(raw)) if prefix == "oai_dc" else render_marcxml_raw(raw)
    except _DAMAGE:
        return None


def _x(text: str) -> str:
    return escape(text.translate(_INVALID_XML))


def _attr(text: str) -> str:
    return quoteattr(text.translate(_INVALID_XML) or " ")


def _attr_char(char: str, default: str = '" "') -> str:
    """A one-character attribute value, quoted (indicators, subfield codes)."""
    quoted = _ASCII_ATTR.get(char)
    if quoted is None:
        quoted = _attr(char) if char else default
    return quoted


_ASCII_ATTR = {chr(c): _attr(chr(c)) for c in range(128)}


def render_marcxml(parsed: Parsed) -> str:
    """A ``marc:record`` element (default namespace MARC21 slim) from split fields."""
    leader, fields = parsed
    out = [f'<record xmlns="{MARC_NS}"><leader>{_x(leader)}</leader>']
    for tag, data, ind1, ind2, subs in fields:
        if data is not None:
            out.append(f"<controlfield tag={_attr(tag)}>{_x(data)}</controlfield>")
        else:
            out.append(f"<datafield tag={_attr(tag)} ind1={_attr(ind1)} ind2={_attr(ind2)}>")
            out.extend(f"<subfield code={_attr(code)}>{_x(value)}</subfield>"
                       for code, value in subs)
            out.append("</datafield>")
    out.append("</record>")
    return "".join(out)


def render_marcxml_raw(raw: bytes) -> str:
    """The same element straight from a UTF-8 ISO 2709 record, without splitting it into
    Python structures first: the hot path of a large feed (about 3x faster)."""
    if raw[9:10] != b"a":
        return render_marcxml(_parse(raw))
    base = int(raw[12:17])
    # Most records hold no forbidden control characters; only those that do pay for
    # filtering. \x1f stays: it is the subfield delimiter, split on below.
    entries = (base - 25) // 12
    dirty = (_FORBIDDEN_BYTES.search(raw) is not None or raw.count(b"\x1d") != 1
             or raw.count(b"\x1e") != entries + 1)
    out = [f'<record xmlns="{MARC_NS}"><leader>', _x(raw[:24].decode("ascii", "replace")),
           "</leader>"]
    append = out.append
    for entry in range(24, base - 1, 12):
        tag = raw[entry:entry + 3].decode("ascii", "replace")
        size = int(raw[entry + 3:entry + 7])
        start = base + int(raw[entry + 7:entry + 12])
        text = raw[start:start + size].decode("utf-8", "replace")
        if text[-1:] == "\x1e":
            text = text[:-1]
        if "&" in text or "<" in text or ">" in text:
            text = escape(text)
        if dirty:
            text = text.translate(_INVALID_BUT_1F)
        if not tag.isalnum():
            tag = _attr(tag)[1:-1]
        if tag < "010" and tag.isdigit():
            if "\x1f" in text:
                text = text.translate(_INVALID_XML)  # a delimiter has no place here
            append(f'<controlfield tag="{tag}">{text}</controlfield>')
            continue
        parts = text.split("\x1f")
        indicators = parts[0]
        append(f'<datafield tag="{tag}" ind1={_attr_char(indicators[0:1])} '
               f"ind2={_attr_char(indicators[1:2])}>")
        for sub in parts[1:]:
            if sub:
                append(f"<subfield code={_attr_char(sub[0])}>{sub[1:]}</subfield>")
        append("</datafield>")
    append("</record>")
    return "".join(out)


def _values(fields: list, tags: tuple[str, ...], codes: str) -> list[str]:
    found = []
    for tag, data, _i1, _i2, subs in fields:
        if tag in tags and data is None:
            text = " ".join(v for c, v in subs if c in codes).strip(" /:;,.")
            if text:
                found.append(text)
    return found


def render_oai_dc(parsed: Parsed) -> str:
    """A plain MARC → oai_dc crosswalk (title, agents, subjects, publisher, date, ...)."""
    leader, fields = parsed
    control = {tag: data for tag, data, *_ in fields if data is not None}
    elements: list[tuple[str, str]] = []
    elements += [("title", v) for v in _values(fields, ("245",), "abnp")]
    elements += [("creator", v) for v in _values(fields, ("100", "110", "111"), "abcdq")]
    elements += [("contributor", v) for v in _values(fields, ("700", "710", "711"), "abcdq")]
    elements += [("subject", v) for v in _values(
        fields, ("600", "610", "611", "630", "650", "651"), "abcdvxyz")]
    elements += [("description", v) for v in _values(fields, ("520",), "a")]
    elements += [("publisher", v) for v in _values(fields, ("260", "264"), "b")]
    dates = _values(fields, ("260", "264"), "c")
    fixed = control.get("008", "")
    if not dates and fixed[7:11].isdigit():
        dates = [fixed[7:11]]
    elements += [("date", v) for v in dates]
    if leader[6:7] in ("a", "t"):
        elements.append(("type", "Text"))
    elements += [("format", v) for v in _values(fields, ("300",), "abc")]
    for value in _values(fields, ("020",), "a"):
        elements.append(("identifier", f"URN:ISBN:{value.split()[0]}"))
    for value in _values(fields, ("022",), "a"):
        elements.append(("identifier", f"URN:ISSN:{value.split()[0]}"))
    language = fixed[35:38].strip()
    if language and language.isalpha():
        elements.append(("language", language))
    out = [f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           f'xsi:schemaLocation="{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd">']
    out.extend(f"<dc:{name}>{_x(value)}</dc:{name}>" for name, value in elements)
    out.append("</oai_dc:dc>")
    return "".join(out)


# -- the feed ---------------------------------------------------------------------------


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bound(text: str, *, upper: bool) -> int:
    """A from/until argument as epoch seconds (a day's until reaches its last second)."""
    if _SECOND.match(text):
        moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    elif _DAY.match(text):
        moment = datetime.strptime(text, "%Y-%m-%d")
        if upper:
            return int(moment.replace(tzinfo=UTC).timestamp()) + 86399
    else:
        raise ValueError(text)
    return int(moment.replace(tzinfo=UTC).timestamp())


@dataclass(frozen=True, slots=True)
class _ListRequest:
    prefix: str
    from_: str
    until: str
    set_spec: str
    cursor: int


class Feed:
    """The OAI-PMH repository over one indexed MARC file (request in, XML out)."""

    def __init__(self, index: FeedIndex, *, page_size: int, repository_name: str,
                 admin_email: str, set_spec: str | None, clock: Clock) -> None:
        self.index = index
        self.page_size = page_size
        self.repository_name = repository_name
        self.admin_email = admin_email
        self.set_spec = set_spec
        self.clock = clock

    def close(self) -> None:
        """Release the mapped file (the feed cannot answer afterwards)."""
        if isinstance(self.index.data, mmap.mmap):
            self.index.data.close()

    # token = base64url("prefix\x00from\x00until\x00set\x00cursor\x00fingerprint")
    def _token(self, request: _ListRequest, cursor: int) -> str:
        fields = (request.prefix, request.from_, request.until, request.set_spec, str(cursor),
                  self.index.fingerprint)
        return base64.urlsafe_b64encode("\x00".join(fields).encode()).decode().rstrip("=")

    def _read_token(self, token: str) -> _ListRequest:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            prefix, from_, until, set_spec, cursor, fingerprint = raw.split("\x00")
            request = _ListRequest(prefix, from_, until, set_spec, int(cursor))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise OaiProblem("badResumptionToken", "The resumptionToken is invalid.") from None
        if fingerprint != self.index.fingerprint or prefix not in FORMATS:
            raise OaiProblem("badResumptionToken",
                             "The resumptionToken is expired: the feed has changed.")
        return request

    def respond(self, args: dict[str, str], base_url: str, *, repeated: bool = False) -> str:
        """The whole XML response to one request's arguments (``repeated``: an argument
        was given twice, which the protocol forbids)."""
        verb = args.get("verb", "")
        try:
            if repeated:
                raise OaiProblem("badArgument", "An argument is repeated.")
            body = self._dispatch(verb, args, base_url)
        except OaiProblem as problem:
            # badVerb/badArgument echo only the base URL, as the protocol requires.
            echo = {} if problem.code in ("badVerb", "badArgument") else args
            return self._envelope(echo, base_url,
                                  f'<error code="{problem.code}">{_x(problem.message)}</error>')
        return self._envelope(args, base_url, body)

    def _envelope(self, args: dict[str, str], base_url: str, body: str) -> str:
        attrs = "".join(f" {k}={_attr(v)}" for k, v in args.items())
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{self.clock().astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</responseDate>"
            f"<request{attrs}>{_x(base_url)}</request>{body}</OAI-PMH>"
        )

    def _dispatch(self, verb: str, args: dict[str, str], base_url: str) -> str:
        if verb not in _VERB_ARGS:
            raise OaiProblem("badVerb", f"Illegal OAI verb: {verb!r}")
        keys = set(args) - {"verb"}
        required, optional = _VERB_ARGS[verb]
        if "resumptionToken" in keys and verb in ("ListRecords", "ListIdentifiers"):
            if keys != {"resumptionToken"}:
                raise OaiProblem("badArgument", "resumptionToken is an exclusive argument.")
        elif not required <= keys or not keys <= required | optional:
            raise OaiProblem("badArgument", f"Illegal or missing arguments for {verb}.")
        if verb == "Identify":
            return self._identify(base_url)
        if verb == "ListMetadataFormats":
            return self._formats(args.get("identifier"))
        if verb == "ListSets":
            return self._sets(args)
        if verb == "GetRecord":
            return self._get_record(args["identifier"], args["metadataPrefix"])
        return self._list(verb, args)

    def _identify(self, base_url: str) -> str:
        index = self.index
        earliest = _utc(index.sorted_stamps[0]) if len(index.sorted_stamps) else _utc(0)
        deleted = "transient" if any(index.deleted) else "no"
        return (
            f"<Identify><repositoryName>{_x(self.repository_name)}</repositoryName>"
            f"<baseURL>{_x(base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{_x(self.admin_email)}</adminEmail>"
            f"<earliestDatestamp>{earliest}</earliestDatestamp>"
            f"<deletedRecord>{deleted}</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify>"
        )

    def _formats(self, identifier: str | None) -> str:
        if identifier is not None and identifier not in self.index.by_identifier:
            raise OaiProblem("idDoesNotExist", f"No record {identifier!r}.")
        items = "".join(
            f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{schema}"
            f"</schema><metadataNamespace>{ns}</metadataNamespace></metadataFormat>"
            for prefix, (schema, ns) in FORMATS.items()
        )
        return f"<ListMetadataFormats>{items}</ListMetadataFormats>"

    def _sets(self, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            raise OaiProblem("badResumptionToken", "ListSets is never split.")
        if self.set_spec is None:
            raise OaiProblem("noSetHierarchy", "This repository does not support sets.")
        return (f"<ListSets><set><setSpec>{_x(self.set_spec)}</setSpec>"
                f"<setName>{_x(self.set_spec)}</setName></set></ListSets>")

    def _check_prefix(self, prefix: str) -> None:
        if prefix not in FORMATS:
            raise OaiProblem("cannotDisseminateFormat", f"Unsupported format {prefix!r}.")

    def _get_record(self, identifier: str, prefix: str) -> str:
        number = self.index.by_identifier.get(identifier)
        if number is None:
            raise OaiProblem("idDoesNotExist", f"No record {identifier!r}.")
        self._check_prefix(prefix)
        return f"<GetRecord>{self._record(number, prefix, headers_only=False)}</GetRecord>"

    def _list(self, verb: str, args: dict[str, str]) -> str:
        if "resumptionToken" in args:
            request = self._read_token(args["resumptionToken"])
        else:
            request = _ListRequest(args["metadataPrefix"], args.get("from", ""),
                                   args.get("until", ""), args.get("set", ""), 0)
            self._check_prefix(request.prefix)
        low, high = self._range(request)
        if high <= low:
            raise OaiProblem("noRecordsMatch", "No records match the request.")
        start = low + request.cursor
        if start >= high:
            raise OaiProblem("badResumptionToken", "The resumptionToken is past the list.")
        end = min(start + self.page_size, high)
        headers_only = verb == "ListIdentifiers"
        order = self.index.order
        parts = [f"<{verb}>"]
        parts.extend(self._record(order[i], request.prefix, headers_only=headers_only)
                     for i in range(start, end))
        delivered = end - low
        total = high - low
        if delivered < total:
            token = self._token(request, delivered)
            parts.append(f'<resumptionToken completeListSize="{total}" '
                         f'cursor="{request.cursor}">{token}</resumptionToken>')
        elif request.cursor:
            # The last page of a split list carries an empty token, as the protocol asks.
            parts.append(f'<resumptionToken completeListSize="{total}" '
                         f'cursor="{request.cursor}"/>')
        parts.append(f"</{verb}>")
        return "".join(parts)

    def _range(self, request: _ListRequest) -> tuple[int, int]:
        if request.set_spec and request.set_spec != self.set_spec:
            if self.set_spec is None:
                raise OaiProblem("noSetHierarchy", "This repository does not support sets.")
            return 0, 0
        try:
            low_stamp = _bound(request.from_, upper=False) if request.from_ else None
            high_stamp = _bound(request.until, upper=True) if request.until else None
        except ValueError:
            raise OaiProblem("badArgument", "from/until must be UTC datestamps.") from None
        if request.from_ and request.until and (
            len(request.from_) != len(request.until) or low_stamp > high_stamp
        ):
            raise OaiProblem("badArgument", "from and until disagree.")
        stamps = self.index.sorted_stamps
        low = bisect_left(stamps, low_stamp) if low_stamp is not None else 0
        high = bisect_right(stamps, high_stamp) if high_stamp is not None else len(stamps)
        return low, high

    def _record(self, number: int, prefix: str, *, headers_only: bool) -> str:
        index = self.index
        deleted = index.deleted[number]
        status = ' status="deleted"' if deleted else ""
        set_spec = f"<setSpec>{_x(self.set_spec)}</setSpec>" if self.set_spec else ""
        header = (f"<header{status}><identifier>{_x(index.identifiers[number])}</identifier>"
                  f"<datestamp>{_utc(index.stamps[number])}</datestamp>{set_spec}</header>")
        if headers_only:
            return header
        if deleted:
            return f"<record>{header}</record>"
        offset = index.offsets[number]
        raw = index.data[offset:offset + index.lengths[number]]
        metadata = render_metadata(raw, prefix)
        if metadata is None:
            # A damaged record is published without metadata rather than failing the page.
            return f"<record>{header}</record>"
        return f"<record>{header}<metadata>{metadata}</metadata></record>"


# -- the aiohttp application ------------------------------------------------------------

FEED = web.AppKey("feed", Feed)


def _serialize(records: Sequence[pymarc.Record]) -> bytes:
    return b"".join(record.as_marc() for record in records)


def open_feed(
    marc: Path | str | Sequence[pymarc.Record],
    *,
    page_size: int = 100,
    datestamp: datetime | None = None,
    repository_name: str = "Demo branch catalogue",
    repository_id: str = "demo.branch",
    admin_email: str = "admin@example.org",
    set_spec: str | None = None,
    clock: Clock | None = None,
) -> Feed:
    """Index ``marc`` (an ISO 2709 file, or records) into a :class:`Feed`.

    ``datestamp`` fixes every record's datestamp; otherwise it is the record's 005, or the
    file's modification time for records without one. ``set_spec`` puts every record in
    one set (otherwise the feed has no sets). ``clock`` gives ``responseDate``.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    if isinstance(marc, str | Path):
        path = Path(marc)
        size = path.stat().st_size
        default = datetime.fromtimestamp(int(path.stat().st_mtime), UTC)
        with path.open("rb") as file:
            # An empty file cannot be mapped; it is simply an empty feed.
            data: bytes | mmap.mmap = (mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
                                       if size else b"")
    else:
        data = _serialize(marc)
        default = datetime.now(UTC).replace(microsecond=0)
    index = index_marc(data, fixed=datestamp, default=default, repository_id=repository_id)
    return Feed(index, page_size=page_size, repository_name=repository_name,
                admin_email=admin_email, set_spec=set_spec,
                clock=clock or (lambda: datetime.now(UTC)))


def build_feed_app(marc: Path | str | Sequence[pymarc.Record], *, page_size: int = 100,
                   **options: Any) -> web.Application:
    """An aiohttp app serving ``marc`` at ``/`` and ``/oai``; options as :func:`open_feed`."""
    feed = open_feed(marc, page_size=page_size, **options)
    app = web.Application()
    app[FEED] = feed
    for path in ("/", "/oai"):
        app.router.add_route("GET", path, _handle)
        app.router.add_route("POST", path, _handle)

    async def close(_app: web.Application) -> None:
        feed.close()

    app.on_cleanup.append(close)
    return app


async def read_args(request: web.Request) -> tuple[dict[str, str], bool]:
    """The OAI-PMH arguments of a GET or POST request, and whether one was repeated."""
    source = await request.post() if request.method == "POST" else request.query
    args: dict[str, str] = {}
    repeated = False
    for key in source:
        values = source.getall(key)
        repeated = repeated or len(values) > 1
        args[key] = str(values[0])
    return args, repeated


async def _handle(request: web.Request) -> web.Response:
    feed = request.app[FEED]
    args, repeated = await read_args(request)
    body = feed.respond(args, str(request.url.with_query(None)), repeated=repeated)
    return web.Response(body=body.encode("utf-8"), content_type="text/xml", charset="utf-8")


@asynccontextmanager
async def serve_feed(
    marc: Path | str | Sequence[pymarc.Record],
    host: str = "127.0.0.1",
    port: int = 0,
    **options: Any,
) -> AsyncIterator[str]:
    """Serve a feed on ``host:port`` (0: any free port); yields its base URL (``.../oai``).

    ``options`` are those of :func:`open_feed` (``page_size``, ``datestamp``, ...).
    """
    app = build_feed_app(marc, **options)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        yield f"http://{host}:{bound_port}/oai"
    finally:
        await runner.cleanup()


__all__ = ["Feed", "FeedIndex", "build_feed_app", "index_marc", "open_feed", "read_args",
           "serve_feed"]
