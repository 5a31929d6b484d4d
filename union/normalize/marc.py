"""MARC 21 bibliographic record (pymarc) -> BibRecord.

One pass over the fields, dispatching on the tag: the normalizer must keep up with
ingest (thousands of records a second), so no field is looked up twice.
"""

from __future__ import annotations

from collections.abc import Callable

from pymarc import Field, Record

from union.bib_record import Agent, BibRecord, Item
from union.normalize.dates import year_from_008, year_from_text
from union.normalize.errors import NormalizationError
from union.normalize.formats import marc_format
from union.normalize.holdings import items_from_marc
from union.normalize.identifiers import (
    isbn13,
    isbn_candidate,
    national_number,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)
from union.normalize.languages import codes_from_041, marc_language
from union.normalize.marc_fields import (
    agent_from_field,
    dimensions_value,
    first_value,
    imprint_value,
    joined,
    series_from_field,
    subfield_values,
    subject_from_field,
)
from union.normalize.text import clean, dedupe, tidy, truncate, unbracket

NOTE_TAGS = ("500", "501", "502", "504", "505", "520", "546")
MAX_NOTES = 5
MAX_NOTE_LENGTH = 300
SUBJECT_TAGS = ("600", "610", "611", "630", "647", "648", "650", "651", "654", "656", "657",
                "662")
SERIES_TAGS = ("440", "490", "800", "810", "811", "830")


class _Collected:
    """What the single pass over the fields gathers; turned into a BibRecord at the end."""

    __slots__ = (
        "agents", "c001", "c003", "c007", "c008", "classifications", "copyright_year",
        "edition", "f245", "f246", "f260", "f264", "f300", "f852", "f952", "invalid_isbns",
        "isbns", "issns", "languages", "lccns", "national", "notes", "oclc", "original",
        "series", "subjects", "uniform",
    )

    def __init__(self) -> None:
        self.c001 = self.c003 = self.c008 = ""
        self.c007: list[str] = []
        self.f245: Field | None = None
        self.f246: Field | None = None
        self.f260: Field | None = None
        self.f264: Field | None = None
        self.f300: Field | None = None
        self.uniform: str | None = None
        self.edition: str | None = None
        self.copyright_year: int | None = None
        self.agents: list[Agent] = []
        self.isbns: list[str] = []
        self.invalid_isbns: list[str] = []
        self.issns: list[str] = []
        self.lccns: list[str] = []
        self.oclc: list[str] = []
        self.national: list[str] = []
        self.languages: list[str] = []
        self.original: list[str] = []
        self.subjects: list[str] = []
        self.series: list[str] = []
        self.notes: list[str] = []
        self.classifications: list[str] = []
        self.f852: list[Field] = []
        self.f952: list[Field] = []


def _control(c: _Collected, f: Field) -> None:
    data = f.data or ""
    if f.tag == "001":
        c.c001 = data
    elif f.tag == "003":
        c.c003 = data
    elif f.tag == "007":
        c.c007.append(data)
    elif f.tag == "008" and not c.c008:
        c.c008 = data


def _isbn(c: _Collected, f: Field) -> None:
    for code, value in f.subfields:
        if code == "a":
            candidate = isbn_candidate(value)
            if candidate is None:
                continue
            valid = isbn13(candidate)
            (c.isbns if valid else c.invalid_isbns).append(valid or candidate)
        elif code == "z":  # cancelled or invalid, whatever its checksum says
            candidate = isbn_candidate(value) or clean(value)
            c.invalid_isbns.append(candidate)


def _issn(c: _Collected, f: Field) -> None:
    for code, value in f.subfields:
        if code == "a" and (issn := normalize_issn(value)):
            c.issns.append(issn)


def _lccn(c: _Collected, f: Field) -> None:
    for code, value in f.subfields:
        if code == "a" and (lccn := normalize_lccn(value)):
            c.lccns.append(lccn)


def _system_number(c: _Collected, f: Field) -> None:
    for code, value in f.subfields:
        if code == "a" and (number := normalize_oclc(value)):
            c.oclc.append(number)


def _national(c: _Collected, f: Field) -> None:
    if f.tag == "015":
        agency = first_value(f, "2")
    else:  # 016: first indicator blank means Library and Archives Canada
        agency = first_value(f, "2") if f.indicator1 == "7" else "CaOONL"
    for value in subfield_values(f, "a"):
        number = national_number(agency, value)
        if number:
            c.national.append(number)


def _language(c: _Collected, f: Field) -> None:
    for code, value in f.subfields:
        if code == "a":
            c.languages.extend(codes_from_041(value))
        elif code == "h":
            c.original.extend(codes_from_041(value))


def _ddc(c: _Collected, f: Field) -> None:
    for value in subfield_values(f, "a"):
        number = clean(value).replace("/", "").replace("'", "")
        if number:
            c.classifications.append(f"ddc:{number}")


def _name(c: _Collected, f: Field) -> None:
    agent = agent_from_field(f, main=f.tag[0] == "1")
    if agent is not None:
        c.agents.append(agent)


def _uniform(c: _Collected, f: Field) -> None:
    if c.uniform is None:
        c.uniform = joined(f, "anp") or None


def _f245(c: _Collected, f: Field) -> None:
    if c.f245 is None:
        c.f245 = f


def _f246(c: _Collected, f: Field) -> None:
    if c.f246 is None:
        c.f246 = f


def _f260(c: _Collected, f: Field) -> None:
    if c.f260 is None:
        c.f260 = f


def _f300(c: _Collected, f: Field) -> None:
    if c.f300 is None:
        c.f300 = f


def _edition(c: _Collected, f: Field) -> None:
    if c.edition is None:
        c.edition = tidy(unbracket(joined(f, "a"))) or None


def _publication(c: _Collected, f: Field) -> None:
    if f.indicator2 == "1" and c.f264 is None:
        c.f264 = f
    elif f.indicator2 == "4" and c.copyright_year is None:
        c.copyright_year = year_from_text(first_value(f, "c"))


def _subject(c: _Collected, f: Field) -> None:
    subject = subject_from_field(f)
    if subject:
        c.subjects.append(subject)


def _keywords(c: _Collected, f: Field) -> None:
    # 653 index terms are uncontrolled: each $a is a subject of its own.
    for code, value in f.subfields:
        if code == "a" and (term := tidy(value)):
            c.subjects.append(term)


def _series(c: _Collected, f: Field) -> None:
    series = series_from_field(f)
    if series:
        c.series.append(series)


def _note(c: _Collected, f: Field) -> None:
    if len(c.notes) >= MAX_NOTES:
        return
    text = clean(" ".join(subfield_values(f, "a")))
    if not text and f.tag == "505":  # enhanced contents: titles and responsibilities
        text = clean(" ".join(subfield_values(f, "tr")))
    if text:
        c.notes.append(truncate(text, MAX_NOTE_LENGTH))


def _holding(c: _Collected, f: Field) -> None:
    (c.f852 if f.tag == "852" else c.f952).append(f)


_HANDLERS: dict[str, Callable[[_Collected, Field], None]] = {
    "001": _control, "003": _control, "007": _control, "008": _control,
    "010": _lccn, "015": _national, "016": _national, "020": _isbn, "022": _issn,
    "035": _system_number, "041": _language, "082": _ddc,
    "100": _name, "110": _name, "111": _name, "700": _name, "710": _name, "711": _name,
    "130": _uniform, "240": _uniform,
    "245": _f245, "246": _f246, "250": _edition, "260": _f260, "264": _publication,
    "300": _f300,
    "653": _keywords, "852": _holding, "952": _holding,
}
_HANDLERS.update(dict.fromkeys(SUBJECT_TAGS, _subject))
_HANDLERS.update(dict.fromkeys(SERIES_TAGS, _series))
_HANDLERS.update(dict.fromkeys(NOTE_TAGS, _note))


def _title(c: _Collected) -> tuple[str, str | None, str | None, str | None, str | None, int]:
    """(title, subtitle, part number, part name, responsibility, nonfiling characters)."""
    f = c.f245
    if f is None:
        title = (joined(c.f246, "a") if c.f246 else "") or c.uniform or ""
        return title, None, None, None, None, 0
    parts: dict[str, list[str]] = {}
    for code, value in f.subfields:  # one pass: this runs for every record
        if code in "abcknp":
            parts.setdefault(code, []).append(value)
    main = _tidy_joined(parts.get("a"))
    subtitle = _tidy_joined(parts.get("b")) or None
    responsibility = _tidy_joined(parts.get("c")) or None
    part_number = _tidy_each(parts.get("n"))
    part_name = _tidy_each(parts.get("p"))
    title = main or _tidy_joined(parts.get("k")) or part_name or part_number or ""
    if not title and c.f246 is not None:
        title = joined(c.f246, "a")
    title = title or c.uniform or ""
    nonfiling = _nonfiling(f, main) if f.indicator2 not in ("0", " ") else 0
    return title, subtitle, part_number, part_name, responsibility, nonfiling


def _tidy_joined(values: list[str] | None) -> str:
    if not values:
        return ""
    return tidy(values[0] if len(values) == 1 else " ".join(values))


def _tidy_each(values: list[str] | None) -> str | None:
    """Several $n or $p: each tidied, joined as ISBD does ("Jilid 1. Bagian 2")."""
    if not values:
        return None
    return ". ".join(t for t in map(tidy, values) if t) or None


def _nonfiling(f: Field, title: str) -> int:
    """Leading characters of the normalized title to skip when sorting (245 ind2)."""
    skip = f.indicator2
    if not title or not skip or not skip.isdecimal() or skip == "0":
        return 0
    raw = " ".join(subfield_values(f, "a"))
    prefix = clean(raw[: int(skip)])
    if not prefix or not title.startswith(prefix):
        return 0
    end = len(prefix)
    if title[end : end + 1] == " ":
        end += 1  # "The " -> 4, as MARC counts the space
    return end if end < len(title) else 0


def _imprint(c: _Collected) -> tuple[str | None, str | None, str | None, int | None]:
    """(place, publisher, date text, year) from 264 _1, else 260; year falls back to the
    copyright date (264 _4) and then to 008/07-10."""
    f = c.f264 or c.f260
    place = publisher = date_text = None
    if f is not None:
        raw: dict[str, str] = {}
        for code, value in f.subfields:  # the first $a, $b and $c
            if code in "abc" and code not in raw and value.strip():
                raw[code] = value
        place = imprint_value(raw.get("a"))
        publisher = imprint_value(raw.get("b"))
        date_text = tidy(raw.get("c")) or None
    year = year_from_text(date_text) or c.copyright_year or year_from_008(c.c008)
    return place, publisher, date_text, year


def _physical(f: Field) -> tuple[str | None, str | None]:
    """(extent, dimensions) from 300 $a (with $f, units) and $c."""
    extent: list[str] = []
    dimensions = None
    for code, value in f.subfields:
        if code in "af":
            extent.append(value)
        elif code == "c" and dimensions is None:
            dimensions = dimensions_value(value)
    return (tidy(" ".join(extent)) or None) if extent else None, dimensions


def _languages(c: _Collected) -> list[str]:
    codes: list[str] = []
    fixed = marc_language(c.c008[35:38]) if len(c.c008) >= 38 else None
    if fixed:
        codes.append(fixed)
    codes.extend(c.languages)
    return codes


def _oclc_numbers(c: _Collected) -> list[str]:
    numbers = list(c.oclc)
    if c.c003.strip() == "OCoLC":  # an OCLC record: its 001 is the OCLC number
        number = normalize_oclc(c.c001, bare_digits=True)
        if number:
            numbers.insert(0, number)
    return numbers


def _dedupe_agents(agents: list[Agent]) -> tuple[Agent, ...]:
    seen: set[tuple[str, str, str]] = set()
    out: list[Agent] = []
    for agent in agents:
        key = (agent.name, agent.kind, agent.role)
        if key not in seen:
            seen.add(key)
            out.append(agent)
    return tuple(out)


def _dedupe_casefold(values: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


def bib_from_marc(record: Record) -> BibRecord:
    """Normalize one MARC 21 bibliographic record.

    Raises NormalizationError when the record has no usable title (245, else 246, else
    the uniform title).
    """
    c = _Collected()
    handlers = _HANDLERS
    for f in record.fields:
        handler = handlers.get(f.tag)
        if handler is not None:
            handler(c, f)
    title, subtitle, part_number, part_name, responsibility, nonfiling = _title(c)
    if not title:
        raise NormalizationError("record has no title (245 $a, 246, 130/240 all empty)")
    place, publisher, date_text, year = _imprint(c)
    extent, dimensions = _physical(c.f300) if c.f300 is not None else (None, None)
    items: list[Item] = items_from_marc(c.f852, c.f952) if c.f852 or c.f952 else []
    return BibRecord(
        title=title,
        subtitle=subtitle,
        part_number=part_number,
        part_name=part_name,
        responsibility=responsibility,
        uniform_title=c.uniform,
        agents=_dedupe_agents(c.agents) if c.agents else (),
        edition=c.edition,
        publisher=publisher,
        place=place,
        year=year,
        date_text=date_text,
        isbns=dedupe(c.isbns) if c.isbns else (),
        invalid_isbns=dedupe(c.invalid_isbns) if c.invalid_isbns else (),
        issns=dedupe(c.issns) if c.issns else (),
        lccns=dedupe(c.lccns) if c.lccns else (),
        oclc_numbers=dedupe(_oclc_numbers(c)),
        national_numbers=dedupe(c.national) if c.national else (),
        languages=dedupe(_languages(c)),
        original_languages=dedupe(c.original) if c.original else (),
        subjects=_dedupe_casefold(c.subjects) if c.subjects else (),
        series=_dedupe_casefold(c.series) if c.series else (),
        extent=extent,
        dimensions=dimensions,
        format=marc_format(str(record.leader), c.c007, c.c008),
        notes=dedupe(c.notes) if c.notes else (),
        items=tuple(items) if items else (),
        classifications=dedupe(c.classifications) if c.classifications else (),
        title_nonfiling=nonfiling,
    )
