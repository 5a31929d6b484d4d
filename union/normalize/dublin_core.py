"""oai_dc (Dublin Core) XML -> BibRecord.

The standard profile reads the fifteen Dublin Core elements and the DCMI Terms
refinements whose meaning is unambiguous (extent, medium, abstract, tableOfContents,
issued, created, alternative, isPartOf as the series), in the dc or dcterms namespace.

The "slims" profile adds what SLiMS means by its non-standard use of elements
(see shared/fixtures/slims): dc:identifier_isbn is the ISBN, dc:hasVersion the edition,
dc:hasPart an item code (barcode) per copy, dc:coverage the place of publication,
dc:source the series, a bare dc:identifier the call number; SLiMS data also carries
doubly mis-decoded UTF-8, which is repaired. The profile is chosen automatically when a
record carries SLiMS's marks, or passed explicitly.
"""

from __future__ import annotations

from collections import defaultdict

from lxml import etree

from union.bib_record import Agent, BibRecord
from union.normalize.dates import year_from_text
from union.normalize.dc_values import Identifiers, contributor, creator, ddc_number, split_title
from union.normalize.errors import NormalizationError
from union.normalize.formats import dc_format, looks_like_extent
from union.normalize.holdings import slims_items
from union.normalize.languages import languages_from_text
from union.normalize.marc_fields import dimensions_value, imprint_value
from union.normalize.text import clean, dedupe, repair_mojibake, tidy, truncate
from union.normalize.xml import element_text, local_name, namespace, parse_xml

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
DCTERMS_NS = "http://purl.org/dc/terms/"
_DC_NAMESPACES = frozenset({DC_NS, DCTERMS_NS})

STANDARD = "standard"
SLIMS = "slims"
PROFILES = (STANDARD, SLIMS)

MAX_NOTES = 5
MAX_NOTE_LENGTH = 300
# SLiMS's record page, which it lists among the identifiers of every record.
_SLIMS_RECORD_URL = "index.php?p=show_detail"
_SLIMS_ELEMENTS = frozenset({"identifier_isbn", "hasPart", "hasVersion"})

Values = dict[str, list[str]]


def bib_from_oai_dc(xml: bytes, *, profile: str | None = None) -> BibRecord:
    """Normalize one oai_dc record given as XML bytes (the ``oai_dc:dc`` element, or a
    document containing one).

    ``profile`` is "standard" or "slims"; None chooses by the record's marks. Raises
    NormalizationError for unparsable XML, a missing ``dc`` element, or no title.
    """
    if profile is not None and profile not in PROFILES:
        raise ValueError(f"unknown Dublin Core profile {profile!r}; known: {PROFILES}")
    root = parse_xml(xml)
    values = collect_values(_dc_element(root))
    return bib_from_dc_values(values, profile or detect_profile(values))


def _dc_element(root: etree._Element) -> etree._Element:
    if root.tag == f"{{{OAI_DC_NS}}}dc":
        return root
    found = next(root.iter(f"{{{OAI_DC_NS}}}dc"), None)
    if found is not None:
        return found
    # A bare container of dc:* elements (srw_dc, a plain <metadata>) is accepted too.
    if any(isinstance(c.tag, str) and namespace(c.tag) in _DC_NAMESPACES for c in root):
        return root
    raise NormalizationError(f"no oai_dc:dc element in <{local_name(root.tag)}>")


def collect_values(element: etree._Element) -> Values:
    """The non-empty text of each Dublin Core child element, by local name, in order."""
    values: defaultdict[str, list[str]] = defaultdict(list)
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or namespace(tag) not in _DC_NAMESPACES:
            continue  # comments, SLiMS's <image>, foreign elements
        text = clean(element_text(child))
        if text:
            values[tag.rsplit("}", 1)[-1]].append(text)
    return dict(values)


def detect_profile(values: Values) -> str:
    """"slims" when the record carries SLiMS's marks (its own elements or its record URL
    among the identifiers), else "standard"."""
    if _SLIMS_ELEMENTS & values.keys():
        return SLIMS
    if any(_SLIMS_RECORD_URL in v for v in values.get("identifier", ())):
        return SLIMS
    return STANDARD


def bib_from_dc_values(values: Values, profile: str) -> BibRecord:
    """Build the BibRecord from collected element values under ``profile``."""
    slims = profile == SLIMS
    if slims:
        values = {k: [repair_mojibake(v) for v in vs] for k, vs in values.items()}
    get = values.get
    titles = get("title") or get("alternative") or []
    title, subtitle, responsibility = split_title(titles[0]) if titles else ("", None, None)
    if not title:
        raise NormalizationError("Dublin Core record has no title")

    identifiers = Identifiers()
    for value in get("identifier", ()):
        identifiers.add(value)
    for value in get("identifier_isbn", ()) if slims else ():
        identifiers.add_isbn(value)

    subjects: list[str] = []
    classifications: list[str] = []
    for value in get("subject", ()):
        number = ddc_number(value)
        if number:
            classifications.append(number)
        elif subject := tidy(value):
            subjects.append(subject)

    extents = list(get("extent", ()))
    format_terms = list(get("type", ()))
    for value in [*get("format", ()), *get("medium", ())]:
        (extents if looks_like_extent(value) else format_terms).append(value)
    extent, dimensions = _split_extent(extents[0]) if extents else (None, None)

    dates = [*get("date", ()), *get("issued", ()), *get("created", ())]
    date_text = tidy(dates[0]) if dates else None
    year = next((y for y in map(year_from_text, dates) if y is not None), None)

    series = [*get("isPartOf", ()), *(get("source", ()) if slims else ())]
    call_number = identifiers.other[0] if slims and identifiers.other else None
    items = slims_items(get("hasPart", ()), call_number) if slims else []
    notes = [truncate(v, MAX_NOTE_LENGTH) for v in (*get("description", ()),
             *get("abstract", ()), *get("tableOfContents", ()))]

    return BibRecord(
        title=title,
        subtitle=subtitle,
        responsibility=responsibility,
        agents=_agents(get("creator", ()), get("contributor", ())),
        edition=_first(get("hasVersion", ())) if slims else None,
        publisher=imprint_value(get("publisher", [None])[0]),
        place=imprint_value(get("coverage", [None])[0]) if slims else None,
        year=year,
        date_text=date_text or None,
        isbns=dedupe(identifiers.isbns),
        invalid_isbns=dedupe(identifiers.invalid_isbns),
        issns=dedupe(identifiers.issns),
        lccns=dedupe(identifiers.lccns),
        oclc_numbers=dedupe(identifiers.oclc_numbers),
        languages=dedupe([c for v in get("language", ()) for c in languages_from_text(v)]),
        subjects=dedupe(subjects),
        series=dedupe([tidy(s) for s in series]),
        extent=extent,
        dimensions=dimensions,
        format=dc_format(format_terms) or "book",
        notes=dedupe(notes)[:MAX_NOTES],
        items=tuple(items),
        classifications=dedupe(classifications),
    )


def _first(values: list[str] | tuple[str, ...]) -> str | None:
    return (tidy(values[0]) or None) if values else None


def _agents(creators: list[str] | tuple[str, ...], contributors: list[str] | tuple[str, ...],
            ) -> tuple[Agent, ...]:
    """dc:creator values as authors (the first one as the main entry), then contributors."""
    agents = [creator(v, main=i == 0) for i, v in enumerate(creators)]
    agents.extend(contributor(v) for v in contributors)
    seen: set[tuple[str, str]] = set()
    out: list[Agent] = []
    for agent in agents:
        if agent is not None and (agent.name, agent.role) not in seen:
            seen.add((agent.name, agent.role))
            out.append(agent)
    return tuple(out)


def _split_extent(value: str) -> tuple[str | None, str | None]:
    """Split a collation like MARC 300: "xiv, 392 p. : ill. ; 24 cm." -> ("xiv, 392 p.",
    "24 cm"). Other physical details (after " : ") are dropped, as 300 $b is."""
    text = clean(value)
    dimensions = None
    head, sep, tail = text.rpartition(";")
    if sep and ("cm" in tail or "mm" in tail):
        text, dimensions = head, dimensions_value(tail)
    return tidy(text.split(" : ", 1)[0]) or None, dimensions
