"""One ISO 2709 record, as bytes, into a Unicode pymarc Record (pure).

Whatever can be placed exactly is read; these repairs are made, each described in
``ParsedMarc.notes``:

- a wrong base address, or stray bytes between the directory and the data, when the
  directory entries themselves are readable;
- a directory whose lengths or offsets do not match the data (records over 99,999 bytes,
  lengths counted in characters instead of bytes): fields are then taken by their
  terminators and paired with the directory's tags in order, provided both counts agree
  and most declared lengths still fit (a shifted or garbled directory is refused);
- a data field with text but no subfield delimiter: the text is kept as $a;
- leader/09 that lies about the encoding: a record flagged MARC-8 whose bytes are valid
  UTF-8 is read as UTF-8, a field flagged UTF-8 that is not is read as MARC-8 when that
  decodes cleanly; bytes neither can decode become U+FFFD and are noted;
- bad indicators (missing, extra, non-ASCII) and non-ASCII subfield codes.
"""

from __future__ import annotations

import re
import unicodedata

from pymarc import Field, Indicators, Subfield

from harvesters.marc8 import decode_marc8
from harvesters.marc_record import (
    COMMON_INDICATORS,
    FAST_FIELDS,
    LEADER_LENGTH,
    MarcDataError,
    ParsedMarc,
    control_field,
    data_field,
    make_record,
)

FIELD_TERMINATOR = 0x1E

# Directory entries: three printable tag characters, four digits of length, five of offset.
_DIRECTORY = re.compile(rb"(?:[\x20-\x7e]{3}[0-9]{9})*")
_ENTRY = re.compile(r"(...)(....)(.....)", re.DOTALL)
# A subfield delimiter followed by something other than a printable ASCII code.
_ODD_CODE = re.compile(rb"\x1f[^\x21-\x7e]")

# Bound once as module globals: the decoders call them for every field and subfield.
_new = object.__new__
_tuple_new = tuple.__new__
_BLANKS = Indicators(" ", " ")


def parse_iso2709(raw: bytes, *, legacy_encoding: str | None = None) -> ParsedMarc:
    """Parse one ISO 2709 record (leader to record terminator) into a Unicode Record.

    ``legacy_encoding`` (a Python codec such as ``cp1252``) replaces MARC-8 for records
    not flagged UTF-8, for a source known to export in a code page.
    """
    size = len(raw)
    if size <= LEADER_LENGTH:
        raise MarcDataError(f"only {size} bytes, too short for a MARC record")
    notes: list[str] = []
    leader = _leader(raw, notes)
    if leader[:5] != f"{size:05d}":
        notes.append(f"leader gives the record length as {leader[:5]!r}; it is {size} bytes")
    base, entries = _directory(raw, notes)
    pieces = _field_bytes(raw, base, entries, notes)
    decoder = _choose_decoder(raw, leader, legacy_encoding, notes)
    fields = decoder.fields(entries, pieces)
    notes.extend(decoder.notes)
    return ParsedMarc(make_record(leader, fields), notes)


def _leader(raw: bytes, notes: list[str]) -> str:
    head = raw[:LEADER_LENGTH]
    if head.isascii() and head.decode("ascii").isprintable():
        return head.decode("ascii")
    text = "".join(c if c.isascii() and c.isprintable() else " " for c in head.decode("latin-1"))
    notes.append(f"leader has control or non-ASCII bytes, read as blanks: {head!r}")
    return text


def _directory_end(raw: bytes) -> int:
    """Where the run of well-formed directory entries after the leader ends."""
    match = _DIRECTORY.match(raw, LEADER_LENGTH)
    assert match is not None  # the pattern matches the empty string too
    return match.end()


def _directory(raw: bytes, notes: list[str]) -> tuple[int, list[tuple[str, int, int]]]:
    """Return the base address of the data and the directory's (tag, length, offset)."""
    end = _directory_end(raw)
    entries = [
        (tag, int(length), int(offset))
        for tag, length, offset in _ENTRY.findall(raw[LEADER_LENGTH:end].decode("ascii"))
    ]
    declared_bytes = raw[12:17]
    declared = int(declared_bytes) if declared_bytes.isdigit() else None
    size = len(raw)
    if end < size and raw[end] == FIELD_TERMINATOR:
        base = end + 1
        if declared != base:
            notes.append(
                f"leader base address {declared_bytes.decode('latin-1')!r} is wrong; "
                f"the data starts at byte {base}"
            )
    elif declared is not None and end < declared <= size:
        # The directory's terminator is missing or followed by junk: trust the leader,
        # which still agrees with where the readable entries end.
        base = declared
        stray = raw[end : declared - 1]
        if raw[declared - 1] == FIELD_TERMINATOR:
            notes.append(f"{len(stray)} stray byte(s) {stray!r} after the directory ignored")
        else:
            notes.append("directory terminator missing")
    else:
        where = raw[end : end + 12]
        raise MarcDataError(
            f"directory is unreadable at byte {end} ({where!r}) and the leader's base "
            f"address {declared_bytes.decode('latin-1')!r} does not point past it"
        )
    if not entries:
        if raw[LEADER_LENGTH] == FIELD_TERMINATOR:
            raise MarcDataError("record has no fields (empty directory)")
        raise MarcDataError(
            f"directory is unreadable from byte 24: {raw[LEADER_LENGTH : LEADER_LENGTH + 12]!r}"
        )
    return base, entries


def _field_bytes(
    raw: bytes, base: int, entries: list[tuple[str, int, int]], notes: list[str]
) -> list[bytes]:
    """The bytes of each field, without its terminator, in directory order."""
    size = len(raw)
    pieces = []
    for _tag, length, offset in entries:
        end = base + offset + length
        if length < 1 or end > size or raw[end - 1] != FIELD_TERMINATOR:
            break
        pieces.append(raw[base + offset : end - 1])
    else:
        return pieces
    # The directory cannot be trusted for positions; the terminators can, if they agree
    # with the directory on how many fields there are.
    found = raw[base:].split(b"\x1e")
    tail = found.pop()
    if len(found) != len(entries):
        raise MarcDataError(
            f"directory lists {len(entries)} fields but the data holds {len(found)}; "
            "fields cannot be matched to tags"
        )
    # Pairing by order is only safe when the directory is merely mis-measured, not
    # shifted or garbled: most of its lengths must still fit (give or take the
    # terminator, which some writers leave out).
    fitting = sum(
        1
        for (_t, length, _o), piece in zip(entries, found, strict=True)
        if abs(length - len(piece) - 1) <= 1
    )
    if fitting * 2 < len(entries):
        raise MarcDataError(
            f"directory does not describe the data (only {fitting} of {len(entries)} "
            "field lengths fit); fields cannot be matched to tags"
        )
    notes.append(
        "directory lengths/offsets do not match the data; "
        f"the {len(found)} fields were located by their terminators"
    )
    junk = tail.rstrip(b"\x1d")
    if junk:
        notes.append(f"{len(junk)} byte(s) after the last field ignored")
    return found


def _choose_decoder(
    raw: bytes, leader: str, legacy_encoding: str | None, notes: list[str]
) -> _Decoder:
    if leader[9] == "a":
        return _Utf8Decoder()
    if raw.isascii() and b"\x1b" not in raw:
        return _Utf8Decoder()  # plain ASCII reads the same either way
    if b"\x1b" not in raw:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            notes.append(f"leader/09 is {leader[9]!r} (MARC-8) but the record is UTF-8")
            return _Utf8Decoder()
    if legacy_encoding is not None:
        return _CodecDecoder(legacy_encoding)
    return _Marc8Decoder()


class _Decoder:
    """Turns a record's field bytes into pymarc fields; subclasses decode the text."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def fields(self, entries: list[tuple[str, int, int]], pieces: list[bytes]) -> list[Field]:
        made = []
        for (tag, _length, _offset), piece in zip(entries, pieces, strict=True):
            if not tag.isalnum():
                self.notes.append(f"field tag {tag!r} is not alphanumeric")
            if tag < "010" and tag.isdigit():
                made.append(control_field(tag, self.control_text(tag, piece)))
            else:
                made.append(self.data_field(tag, piece))
        return made

    def text(self, tag: str, data: bytes) -> str:
        raise NotImplementedError

    def control_text(self, tag: str, data: bytes) -> str:
        """A control field's text. Outside UTF-8 it is read byte for byte (as pymarc
        does): MARC-8's combining marks would shift the positions 008 is read by."""
        if data.isascii():
            return data.decode("ascii")
        self.notes.append(f"field {tag}: non-ASCII bytes read as Latin-1")
        return data.decode("latin-1")

    def data_field(self, tag: str, piece: bytes) -> Field:
        parts = piece.split(b"\x1f")
        head = parts[0]
        if len(head) > 2 and len(parts) == 1:
            return self._undelimited(tag, head)
        indicators = self.indicators(tag, head.decode("latin-1"))
        subfields = []
        for part in parts[1:]:
            if not part:
                continue
            code, skip = self.code(tag, part)
            subfields.append(_tuple_new(Subfield, (code, self.text(tag, part[skip:]))))
        return data_field(tag, indicators, subfields)

    def _undelimited(self, tag: str, head: bytes) -> Field:
        """A data field with text but no subfield delimiter (wrapped lines, sloppy
        writers): its text is kept as $a rather than lost as 'extra indicators'."""
        indicators = self.indicators(tag, head[:2].decode("latin-1"))
        self.notes.append(f"field {tag} has no subfield delimiter; its text is kept as $a")
        return data_field(tag, indicators, [_tuple_new(Subfield, ("a", self.text(tag, head[2:])))])

    def indicators(self, tag: str, text: str) -> Indicators:
        if len(text) == 2 and text.isascii() and text.isprintable():
            return _BLANKS if text == "  " else _tuple_new(Indicators, (text[0], text[1]))
        fixed = [c if c.isascii() and c.isprintable() else " " for c in text[:2]]
        fixed += [" "] * (2 - len(fixed))
        self.notes.append(f"field {tag}: indicators {text!r} read as {''.join(fixed)!r}")
        return _tuple_new(Indicators, (fixed[0], fixed[1]))

    def code(self, tag: str, part: bytes) -> tuple[str, int]:
        """The subfield code at the start of ``part`` and how many bytes it took."""
        first = part[0]
        if 0x20 < first < 0x7F:
            return chr(first), 1
        if first < 0x80:
            self.notes.append(f"field {tag}: unusual subfield code {chr(first)!r}")
            return chr(first), 1
        # A UTF-8 or Latin-1 letter where the code belongs: use its base letter, as pymarc
        # does (an 'á' typed for 'a').
        char, width = part[:1].decode("latin-1"), 1
        for size in (2, 3, 4):
            try:
                decoded = part[:size].decode("utf-8")
            except UnicodeDecodeError:
                continue
            if len(decoded) == 1:
                char, width = decoded, size
            break
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii")
        code = base[:1] or char
        self.notes.append(f"field {tag}: subfield code {char!r} read as {code!r}")
        return code, width


class _Utf8Decoder(_Decoder):
    """UTF-8 fields; a field that is not UTF-8 is tried as MARC-8, else marked U+FFFD."""

    def control_text(self, tag: str, data: bytes) -> str:
        return self.text(tag, data)

    def text(self, tag: str, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return self._not_utf8(tag, data)

    def fields(self, entries: list[tuple[str, int, int]], pieces: list[bytes]) -> list[Field]:
        # The hot path of the whole harvest (most records are clean UTF-8): one decode
        # and one split per field, pymarc objects filled in place. Anything unusual goes
        # to the general, byte-level path of the base class.
        if not FAST_FIELDS:
            return super().fields(entries, pieces)
        made: list[Field] = []
        append = made.append
        odd_code = _ODD_CODE.search
        common = COMMON_INDICATORS.get
        for (tag, _length, _offset), piece in zip(entries, pieces, strict=True):
            if tag < "010" and tag.isdigit():
                append(control_field(tag, self.text(tag, piece)))
                continue
            if piece[2:3] != b"\x1f" or odd_code(piece) or not tag.isalnum():
                if not tag.isalnum():
                    self.notes.append(f"field tag {tag!r} is not alphanumeric")
                append(self.data_field(tag, piece))
                continue
            try:
                parts = piece.decode("utf-8").split("\x1f")
            except UnicodeDecodeError:
                append(self.data_field(tag, piece))  # decoded subfield by subfield
                continue
            made_field = _new(Field)
            made_field.tag = tag
            made_field.data = None
            made_field.control_field = False
            made_field._indicators = common(parts[0]) or self.indicators(tag, parts[0])
            made_field.subfields = [
                _tuple_new(Subfield, (part[0], part[1:])) for part in parts[1:] if part
            ]
            append(made_field)
        return made

    def _not_utf8(self, tag: str, data: bytes) -> str:
        text, errors = decode_marc8(data)
        if not errors:
            self.notes.append(f"field {tag}: not UTF-8 as leader/09 says; read as MARC-8")
            return text
        text = data.decode("utf-8", "replace")
        self.notes.append(
            f"field {tag}: {text.count(chr(0xFFFD))} invalid UTF-8 sequence(s) replaced by U+FFFD"
        )
        return text


class _Marc8Decoder(_Decoder):
    """MARC-8 fields (leader/09 blank); undecodable bytes become U+FFFD and are noted."""

    def text(self, tag: str, data: bytes) -> str:
        text, errors = decode_marc8(data)
        if errors:
            self.notes.append(
                f"field {tag}: {errors} byte(s) are not valid MARC-8; replaced by U+FFFD"
            )
        return text


class _CodecDecoder(_Decoder):
    """A legacy code page named for the source (a per-source setting, not a guess)."""

    def __init__(self, codec: str) -> None:
        super().__init__()
        self.codec = codec

    def text(self, tag: str, data: bytes) -> str:
        text = data.decode(self.codec, "replace")
        if "\ufffd" in text:
            self.notes.append(f"field {tag}: bytes not in {self.codec} replaced by U+FFFD")
        return text


def control_number(raw: bytes) -> str | None:
    """Best-effort 001 of a record too broken to parse, so a skip can name it."""
    end = _directory_end(raw)
    declared = raw[12:17]
    base = end + 1 if end < len(raw) and raw[end] == FIELD_TERMINATOR else None
    if base is None and declared.isdigit():
        base = int(declared)
    if base is None:
        return None
    for i in range(LEADER_LENGTH, end, 12):
        if raw[i : i + 3] == b"001":
            start = base + int(raw[i + 7 : i + 12])
            value = raw[start : start + int(raw[i + 3 : i + 7]) - 1]
            text = value.decode("latin-1").strip()
            if text and value.isascii() and text.isprintable():
                return text
    return None
