"""A tolerant, streaming reader of ISO 2709 files.

Records are framed by their leader's length or, where that lies, by the next record
terminator; garbage between records is skipped and reported, never taken for a record.
Memory stays bounded by the largest record, not the file; reading can restart after any
item from its ``Position.end_offset``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from typing import BinaryIO

from harvesters.iso2709_parsing import control_number, parse_iso2709
from harvesters.marc_reading import Framed, Position, ReadFailure, ReadItem, ReadRecord
from harvesters.marc_record import MarcDataError

BLOCK = 1 << 20
# A record is at most 99,999 bytes by its leader, but real files hold bigger ones whose
# length field overflowed (1 MB HathiTrust serials); past this we give up on a record.
MAX_RECORD_BYTES = 16 << 20

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
) -> Generator[ReadItem, None, None]:
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
            filler = _FILLER.match(self.data, self.pos)
            assert filler is not None  # the pattern matches the empty string too
            self.pos = filler.end()
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
