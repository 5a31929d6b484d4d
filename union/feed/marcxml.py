"""BibRecord and holdings -> a MARCXML ``record`` valid against MARC21slim.xsd.

The work's BibRecord is all there is (the merged display record of several sources), so
this rebuilds MARC 21 fields from it, keeping everything it holds, in tag order: the
normalizer (``union.normalize.bib_from_marc``) reads the result back to an equal record
on every field it maps. Each holding branch gets one 852 per copy ($a branch code, $b
branch name, $c shelving location, $h call number, $p barcode), or one bare 852 when it
reports no copies. Built as a string for speed (see :mod:`.xmltext`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from union.bib_record import Agent, BibRecord
from union.feed.datestamps import utc_second
from union.feed.records import Holding
from union.feed.xmltext import text

NAMESPACE = "http://www.loc.gov/MARC21/slim"
SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
# The MARC namespace as the default one on <record>: shorter than a prefix on every tag.
_OPEN = (
    f'<record xmlns="{NAMESPACE}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}" type="Bibliographic">'
)
_CLOSE = "</record>"
# format -> leader/06 type of record and /07 bibliographic level (inverse of
# union.normalize.formats.marc_format).
_LEADER = {
    "book": "am", "ebook": "am", "serial": "as", "map": "em", "score": "cm",
    "sound": "im", "video": "gm", "visual": "km", "computer_file": "mm", "kit": "om",
    "manuscript": "tm", "mixed": "pm",
}
# 008/18-34 by format: "|" (no attempt to code) except where the format lives there:
# 008/23 form of item "o" (online) for an ebook, 008/33 "v" (videorecording) for video.
_NO_ATTEMPT = "|" * 17
_MATERIAL = {"ebook": "|||||o" + "|" * 11, "video": "|" * 15 + "v|"}
_NAME_TAGS = {"person": "00", "body": "10", "meeting": "11"}
# Agent roles -> MARC relator codes (https://www.loc.gov/marc/relators/), sent in $4 beside
# the $e term: a code is what another system reads back without guessing at wording.
RELATOR_CODES = {
    "author": "aut", "editor": "edt", "translator": "trl", "illustrator": "ill",
    "compiler": "com", "author of introduction": "aui", "author of afterword": "aft",
    "photographer": "pht", "adapter": "adp", "commentator": "cmm", "annotator": "ann",
    "narrator": "nrt", "composer": "cmp", "lyricist": "lyr", "director": "drt",
    "performer": "prf", "publisher": "pbl", "issuing body": "isb", "sponsor": "spn",
    "organizer": "orm", "degree granting institution": "dgg", "thesis advisor": "ths",
    "reviewer": "rev", "researcher": "res", "interviewer": "ivr", "interviewee": "ive",
    "transcriber": "trc", "designer": "dsr", "owner": "own", "former owner": "fmo",
}
_CLASSIFICATION = {"ddc": ("082", "0", "4"), "lcc": ("050", " ", "4"), "udc": ("080", " ", " ")}
_SUBFIELD = {code: f'<subfield code="{code}">' for code in "abcdehjnpvxz24"}
_END_SUBFIELD = "</subfield>"


def _field(tag: str, ind1: str, ind2: str, subfields: list[tuple[str, str | None]]) -> str:
    """A datafield, or "" when every subfield is empty (a datafield needs one)."""
    # The hot loop of the feed: one list, no nested calls but the escaping.
    parts = [f'<datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}">']
    for code, value in subfields:
        if value:
            parts += (_SUBFIELD[code], text(value), _END_SUBFIELD)
    if len(parts) == 1:
        return ""
    parts.append("</datafield>")
    return "".join(parts)


def _simple(tag: str, ind1: str, ind2: str, code: str) -> str:
    """The opening of a one-subfield field, to be followed by a value and _SIMPLE_END."""
    return f'<datafield tag="{tag}" ind1="{ind1}" ind2="{ind2}"><subfield code="{code}">'


_SIMPLE_END = "</subfield></datafield>"
_F010 = _simple("010", " ", " ", "a")
_F015 = _simple("015", " ", " ", "a")
_F020 = _simple("020", " ", " ", "a")
_F020Z = _simple("020", " ", " ", "z")
_F022 = _simple("022", " ", " ", "a")
_F035 = _simple("035", " ", " ", "a") + "(OCoLC)"
_F250 = _simple("250", " ", " ", "a")
_F500 = _simple("500", " ", " ", "a")


def _control(tag: str, value: str) -> str:
    return f'<controlfield tag="{tag}">{text(value)}</controlfield>'


def _fixed(bib: BibRecord, stamp: datetime) -> str:
    """008: date entered (the datestamp), date type and year, language, source "d"."""
    entered = f"{stamp.year % 100:02d}{stamp.month:02d}{stamp.day:02d}"
    year = f"{bib.year:04d}" if bib.year is not None and 0 <= bib.year <= 9999 else None
    dates = f"s{year}    " if year else "nuuuuuuuu"
    language = bib.languages[0] if bib.languages else "und"
    if len(language) != 3 or not language.isascii() or not language.isalpha():
        language = "und"
    return f"{entered}{dates}xx {_MATERIAL.get(bib.format, _NO_ATTEMPT)}{language} d"


def _name(agent: Agent, main: bool) -> str:
    number = _NAME_TAGS.get(agent.kind, "00")
    tag = ("1" if main else "7") + number
    # Person: 1 = surname first ("Toer, Pramoedya"), 0 = forename; bodies and meetings: 2.
    inverted = "1" if "," in agent.name else "0"
    ind1 = inverted if agent.kind == "person" else "2"
    # An unknown role stays unsaid; a main entry is its author unless told otherwise.
    unsaid = agent.role == "contributor" or (main and agent.role == "author")
    role = None if unsaid else agent.role
    role_code = "j" if agent.kind == "meeting" else "e"  # 111/711 keep $e for units
    code = RELATOR_CODES.get(role) if role else None
    return _field(tag, ind1, " ", [("a", agent.name), ("d", agent.dates), (role_code, role),
                                   ("4", code)])


def _classification(value: str) -> str:
    scheme, _, number = value.partition(":")
    if not number:
        return _field("084", " ", " ", [("a", value)])
    tag, ind1, ind2 = _CLASSIFICATION.get(scheme, ("084", " ", " "))
    source = scheme if tag == "084" else None
    return _field(tag, ind1, ind2, [("a", number), ("2", source)])


def _title(bib: BibRecord, has_main: bool) -> str:
    nonfiling = str(min(max(bib.title_nonfiling, 0), 9))
    # ISBD punctuation ends each part before the next, as a cataloguer would key it.
    subs: list[tuple[str, str | None]] = [("a", bib.title)]
    if bib.part_number:
        subs.append(("n", bib.part_number))
    if bib.part_name:
        subs.append(("p", bib.part_name))
    if bib.subtitle:
        subs[-1] = (subs[-1][0], f"{subs[-1][1]} :")
        subs.append(("b", bib.subtitle))
    if bib.responsibility:
        subs[-1] = (subs[-1][0], f"{subs[-1][1]} /")
        subs.append(("c", bib.responsibility))
    return _field("245", "1" if has_main else "0", nonfiling, subs)


def _series(value: str) -> str:
    title, sep, volume = value.rpartition(" ; ")
    if not sep:
        return _field("490", "0", " ", [("a", value)])
    return _field("490", "0", " ", [("a", f"{title} ;"), ("v", volume)])


def _subject(value: str) -> str:
    heading, *subdivisions = value.split(" -- ")
    return _field("650", " ", "4", [("a", heading), *(("x", s) for s in subdivisions)])


def _holdings(holdings: Sequence[Holding]) -> list[str]:
    parts: list[str] = []
    for holding in holdings:
        # The branch's $a and $b are escaped once and shared by its copies' fields.
        where = (f'<datafield tag="852" ind1=" " ind2=" "><subfield code="a">'
                 f"{text(holding.branch_code)}</subfield>"
                 f'<subfield code="b">{text(holding.branch_name)}</subfield>')
        if not holding.items:
            parts += (where, "</datafield>")
        for item in holding.items:
            parts.append(where)
            if item.location:
                parts += ('<subfield code="c">', text(item.location), _END_SUBFIELD)
            if item.call_number:
                parts += ('<subfield code="h">', text(item.call_number), _END_SUBFIELD)
            if item.barcode:
                parts += ('<subfield code="p">', text(item.barcode), _END_SUBFIELD)
            parts.append("</datafield>")
    return parts


def marc21(work_id: str, datestamp: datetime, bib: BibRecord,
           holdings: Sequence[Holding] = ()) -> str:
    """The MARCXML record of one work; 001 is the work id, 005 the datestamp."""
    stamp = utc_second(datestamp)
    level = _LEADER.get(bib.format, "am")
    out = [
        _OPEN,
        f"<leader>00000n{level} a2200000uu 4500</leader>",
        _control("001", work_id),
        _control("005", f"{stamp.year:04d}{stamp.month:02d}{stamp.day:02d}{stamp.hour:02d}"
                        f"{stamp.minute:02d}{stamp.second:02d}.0"),
    ]
    add = out.append
    if bib.format == "ebook":
        add(_control("007", "cr"))
    add(_control("008", _fixed(bib, stamp)))
    for lccn in bib.lccns:
        add(f"{_F010}{text(lccn)}{_SIMPLE_END}")
    for national in bib.national_numbers:
        agency, _, number = national.partition(":")
        if agency == "nbn":  # a number whose agency the source did not name
            add(f"{_F015}{text(number)}{_SIMPLE_END}")
        else:
            add(_field("016", "7", " ", [("a", number), ("2", agency)]))
    for isbn in bib.isbns:
        add(f"{_F020}{text(isbn)}{_SIMPLE_END}")
    for isbn in bib.invalid_isbns:
        add(f"{_F020Z}{text(isbn)}{_SIMPLE_END}")
    for issn in bib.issns:
        add(f"{_F022}{text(issn)}{_SIMPLE_END}")
    for oclc in bib.oclc_numbers:
        add(f"{_F035}{text(oclc)}{_SIMPLE_END}")
    if len(bib.languages) > 1 or bib.original_languages:
        add(_field("041", "1" if bib.original_languages else "0", " ",
                   [*(("a", code) for code in bib.languages),
                    *(("h", code) for code in bib.original_languages)]))
    for classification in sorted(bib.classifications, key=_classification_tag):
        add(_classification(classification))
    main = next((agent for agent in bib.agents if agent.main), None)
    if main is not None:
        add(_name(main, True))
    if bib.uniform_title:
        add(_field("240", "1", "0", [("a", bib.uniform_title)]) if main is not None
            else _field("130", "0", " ", [("a", bib.uniform_title)]))
    add(_title(bib, main is not None or bib.uniform_title is not None))
    if bib.edition:
        add(f"{_F250}{text(bib.edition)}{_SIMPLE_END}")
    # The year alone lives in 008/07-10; $c is the date as the source printed it.
    add(_field("264", " ", "1", [("a", bib.place), ("b", bib.publisher), ("c", bib.date_text)]))
    if bib.extent or bib.dimensions:
        add(_field("300", " ", " ", [("a", bib.extent), ("c", bib.dimensions)]))
    out.extend(_series(series) for series in bib.series)
    out.extend(f"{_F500}{text(note)}{_SIMPLE_END}" for note in bib.notes)
    out.extend(_subject(subject) for subject in bib.subjects)
    out.extend(_name(agent, False) for agent in bib.agents if agent is not main)
    out.extend(_holdings(holdings))
    add(_CLOSE)
    return "".join(out)


def _classification_tag(value: str) -> str:
    """Sort key putting classification fields in tag order (050, 080, 082, 084)."""
    scheme = value.partition(":")[0]
    return _CLASSIFICATION.get(scheme, ("084",))[0]
