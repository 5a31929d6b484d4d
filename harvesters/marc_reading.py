"""What the tolerant, streaming readers of MARC files yield (ISO 2709:
:mod:`harvesters.iso2709_reading`; MARCXML: :mod:`harvesters.marcxml_reading`).

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

from dataclasses import dataclass, field

from pymarc import Record


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
