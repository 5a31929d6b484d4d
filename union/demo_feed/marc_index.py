"""The demo feed's index of a MARC file: each record's byte offset, OAI identifier (from
its 001) and datestamp (from its 005, or one fixed datestamp), kept in arrays.

Built for 250,000-record files: at start the feed only indexes the file (read through
``mmap``), in datestamp order so a ``from``/``until`` range is two bisections; records are
rendered only when a page asks for them. Records whose leader/05 is ``d`` are marked
deleted.
"""

from __future__ import annotations

import mmap
import re
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime

_FIELD_END = b"\x1e"
_RECORD_END = 0x1D


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


__all__ = ["FeedIndex", "index_marc"]
