"""Who a MARC record is, as a harvest reads it: its local identifier (001, else 035 $a,
else a hash of its bytes) and its datestamp (005)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pymarc

__all__ = ["datestamp_005", "local_identifier"]


def local_identifier(record: pymarc.Record, raw: bytes) -> tuple[str, str | None]:
    """The record's local id and, when 001 was missing, a note saying what stood in.

    001 when present; else the first 035 $a as ``035$a:<value>``; else ``sha1:<hex>`` of
    the record's bytes. Both fallbacks are stable for as long as the record is unchanged.
    """
    for field in record.get_fields("001"):
        value = (field.data or "").strip()
        if value:
            return value, None
    for field in record.get_fields("035"):
        for value in field.get_subfields("a"):
            if value.strip():
                return f"035$a:{value.strip()}", "no 001; identified by 035 $a"
    return f"sha1:{hashlib.sha1(raw).hexdigest()}", "no 001 or 035 $a; identified by content hash"


def datestamp_005(record: pymarc.Record) -> datetime | None:
    """The 005 (yyyymmddhhmmss.f, or its date part) as a UTC datetime; None if unusable.

    005 carries no time zone; it is read as UTC, like OAI-PMH datestamps.
    """
    field = record.get("005")
    text = (field.data or "").strip() if field is not None else ""
    digits = text.split(".", 1)[0]
    if len(digits) not in (8, 14) or not digits.isdigit():
        return None
    # Sliced by hand: strptime costs more than the rest of reading the record. A date
    # alone is midnight.
    digits = digits.ljust(14, "0")
    try:
        return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]),
                        int(digits[8:10]), int(digits[10:12]), int(digits[12:14]), tzinfo=UTC)
    except ValueError:
        return None
