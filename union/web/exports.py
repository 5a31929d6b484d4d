"""A work in MARC (ISO 2709), MARCXML and RIS, and its MARC fields for the MARC view
(pure).

MARC is the feed's rendering (:mod:`union.feed.marcxml`, with an 852 per copy of each
holding branch) so the page, the export and the OAI-PMH feed say the same thing; ISO
2709 is that record re-read through the harvesters' MARCXML reader and written by pymarc.
RIS is written by rispy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rispy
from pymarc import Record

from harvesters.marcxml_parsing import parse_marcxml
from union.feed.marcxml import marc21
from union.feed.work_records import Branches, work_content

__all__ = ["MarcLine", "marc_lines", "marc_record", "marcxml", "ris"]

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# RIS reference types by display format (RIS has no single "other" that readers like).
_RIS_TYPES = {
    "book": "BOOK", "ebook": "EBOOK", "serial": "JOUR", "map": "MAP", "score": "MUSIC",
    "sound": "SOUND", "video": "VIDEO", "computer_file": "COMP", "manuscript": "MANSCPT",
    "visual": "ART", "kit": "GEN", "mixed": "GEN",
}


@dataclass(frozen=True, slots=True)
class MarcLine:
    """One field of the MARC view: tag, indicators and content ($a ... $b ...)."""

    tag: str
    indicators: str
    content: str


def marcxml(work_id: int | str, datestamp: datetime, display: Mapping[str, Any],
            branches: Branches) -> str:
    """The work's MARCXML ``record`` (valid against MARC21slim), as a document."""
    content = work_content(display, None, branches)
    return _XML_DECLARATION + marc21(str(work_id), datestamp, content.bib, content.holdings)


def marc_record(work_id: int | str, datestamp: datetime, display: Mapping[str, Any],
                branches: Branches) -> Record:
    """The work as a pymarc Record (``as_marc()`` gives ISO 2709 in UTF-8)."""
    content = work_content(display, None, branches)
    xml = marc21(str(work_id), datestamp, content.bib, content.holdings)
    return parse_marcxml(xml.encode("utf-8")).record


def marc_lines(record: Record) -> list[MarcLine]:
    """The record's leader and fields as lines for people to read."""
    lines = [MarcLine("LDR", "", str(record.leader))]
    for field in record.fields:
        if field.is_control_field():
            lines.append(MarcLine(field.tag, "", field.data or ""))
            continue
        content = " ".join(f"${sub.code} {sub.value}" for sub in field.subfields)
        assert field.indicators is not None  # pymarc gives every data field two
        indicators = "".join(i if i.strip() else "_" for i in field.indicators)
        lines.append(MarcLine(field.tag, indicators, content))
    return lines


class _RisWriter(rispy.RisWriter):
    """rispy's writer without the "1." counter line it puts before each reference,
    which some reference managers refuse."""

    def set_header(self, count: int) -> str:
        return ""


def ris(work_id: int | str, display: Mapping[str, Any], base_url: str,
        branch_names: Mapping[str, str]) -> str:
    """The work as one RIS reference; ``UR`` is its page in the catalogue."""
    agents: Sequence[Mapping[str, Any]] = display.get("agents") or ()
    reference: dict[str, Any] = {
        "type_of_reference": _RIS_TYPES.get(display.get("format") or "book", "GEN"),
        "id": str(work_id),
        "title": _title(display),
        "authors": [a["name"] for a in agents if a.get("role") in (None, "author")],
        "secondary_authors": [a["name"] for a in agents if a.get("role") not in (None, "author")],
        "year": str(display["year"]) if display.get("year") else None,
        "publisher": display.get("publisher"),
        "place_published": display.get("place"),
        "edition": display.get("edition"),
        "issn": "; ".join([*(display.get("isbns") or ()), *(display.get("issns") or ())]) or None,
        "keywords": list(display.get("subjects") or ()),
        "language": ", ".join(display.get("languages") or ()) or None,
        "notes": list(display.get("notes") or ()),
        "call_number": _call_number(display),
        "custom1": ", ".join(branch_names.get(code, code)
                             for code in display.get("branches") or ()) or None,
        "urls": [f"{base_url.rstrip('/')}/karya/{work_id}"],
    }
    kept = {name: value for name, value in reference.items() if value}
    return rispy.dumps([kept], implementation=_RisWriter)


def _title(display: Mapping[str, Any]) -> str:
    title = display.get("title") or ""
    return f"{title}: {display['subtitle']}" if display.get("subtitle") else title


def _call_number(display: Mapping[str, Any]) -> str | None:
    for holding in display.get("holdings") or ():
        for item in holding.get("items") or ():
            if item.get("call_number"):
                return str(item["call_number"])
    return None
