"""Small readers of one MARC data field each: names, subject strings, series, places.

They take a pymarc ``Field`` and return clean strings (or None); ``marc.py`` decides which
field goes where.
"""

from __future__ import annotations

from pymarc import Field

from union.bib_record import Agent
from union.normalize.roles import AUTHOR, CONTRIBUTOR, role_from_relators
from union.normalize.text import clean, strip_isbd, tidy, unbracket

# Per name field: (kind, subfields forming the name, subfield with relator terms).
# Meetings put their relator term in $j, because their $e is a subordinate unit.
_NAME_FIELDS = {
    "100": ("person", "abcq", "e"), "700": ("person", "abcq", "e"),
    "110": ("body", "ab", "e"), "710": ("body", "ab", "e"),
    "111": ("meeting", "aeq", "j"), "711": ("meeting", "aeq", "j"),
}
# Subject subdivisions, each joined to the heading with " -- ".
_SUBDIVISIONS = frozenset("vxyz")
# Subfields that are codes, links or relators rather than part of a subject heading.
_SUBJECT_SKIP = frozenset("0123456789e4")
# Statements that a place or publisher is unknown, in English, Latin and Indonesian.
_UNKNOWN_IMPRINT = frozenset(
    {
        "s.l", "s.n", "sine loco", "sine nomine", "n.p", "place of publication not identified",
        "publisher not identified", "producer not identified", "t.t", "t.p", "t.t.p",
        "tanpa tempat", "tanpa penerbit", "tempat terbit tidak diketahui",
        "penerbit tidak diketahui", "tempat terbit tidak teridentifikasi",
        "penerbit tidak teridentifikasi", "tidak diketahui",
    }
)


def subfield_values(field: Field, codes: str) -> list[str]:
    """The raw values of the subfields whose code is in ``codes``, in field order."""
    return [value for code, value in field.subfields if code in codes]


def first_value(field: Field, code: str) -> str | None:
    """The first non-empty cleaned value of subfield ``code``."""
    for sub_code, value in field.subfields:
        if sub_code == code:
            cleaned = clean(value)
            if cleaned:
                return cleaned
    return None


def joined(field: Field, codes: str) -> str:
    """The subfields in ``codes`` joined by spaces, cleaned, ISBD end punctuation removed."""
    return tidy(" ".join(value for code, value in field.subfields if code in codes))


def agent_from_field(field: Field, *, main: bool) -> Agent | None:
    """An Agent from a 1xx/7xx name field, or None for an empty name or a name/title
    (7xx with $t) entry, which names a related work rather than a contributor."""
    kind, name_codes, term_code = _NAME_FIELDS[field.tag]
    names: list[str] = []
    dates: str | None = None
    terms: list[str] = []
    codes: list[str] = []
    for code, value in field.subfields:
        if code in name_codes:
            names.append(value)
        elif code == "d":
            dates = dates or value
        elif code == term_code:
            terms.append(value)
        elif code == "4":
            codes.append(value)
        elif code == "t":
            return None
    name = tidy(names[0] if len(names) == 1 else " ".join(names)).rstrip(",")
    if not name.strip(" ,.;:"):
        return None
    role = (role_from_relators(terms, codes) if terms or codes else None) or (
        AUTHOR if main else CONTRIBUTOR
    )
    return Agent(
        name=name,
        kind=kind,
        role=role,
        dates=(tidy(dates) or None) if dates else None,
        main=main,
    )


def subject_from_field(field: Field) -> str | None:
    """A 6xx heading with its subdivisions: "Research -- Government policy -- Indonesia"."""
    heading: list[str] = []
    parts: list[str] = []
    skip = "0123456789j4" if field.tag == "611" else _SUBJECT_SKIP
    for code, value in field.subfields:
        if code in skip:
            continue
        if code in _SUBDIVISIONS:
            part = tidy(value)
            if part:
                parts.append(part)
        elif not parts:
            heading.append(value)
    main = tidy(" ".join(heading))
    if main:
        parts.insert(0, main)
    return " -- ".join(parts) or None


def series_from_field(field: Field) -> str | None:
    """A series statement or added entry as "Title ; volume" (440, 490, 800-830)."""
    title_codes = "tnp" if field.tag in ("800", "810", "811") else "anp"
    title = joined(field, title_codes)
    if not title:
        return None
    volume = first_value(field, "v")
    volume = strip_isbd(volume) if volume else None
    return f"{title} ; {volume}" if volume else title


def imprint_value(value: str | None) -> str | None:
    """A place or publisher without brackets, end punctuation or a cataloguer's "?"; None
    when the cataloguer recorded that it is unknown ("[S.l.]", "[s.n.]", "[Tempat terbit
    tidak diketahui]")."""
    if not value:
        return None
    cleaned = tidy(value)
    if "[" in cleaned or "]" in cleaned:
        cleaned = tidy(unbracket(cleaned))
    if cleaned.endswith("?"):
        cleaned = strip_isbd(cleaned.rstrip("?").rstrip())
    if not cleaned or cleaned.lower().rstrip(".") in _UNKNOWN_IMPRINT:
        return None
    return cleaned


def dimensions_value(value: str | None) -> str | None:
    """300 $c without ISBD punctuation; "cm" is a symbol, so its period goes too."""
    if not value:
        return None
    cleaned = tidy(value)
    if cleaned.endswith("."):
        cleaned = cleaned[:-1].rstrip()
    return cleaned or None
