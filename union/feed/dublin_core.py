"""BibRecord and holdings -> ``oai_dc:dc``: simple Dublin Core, only its fifteen elements.

Built as a string (escaped by :mod:`.xmltext`) for speed; valid against oai_dc.xsd.
"""

from __future__ import annotations

from collections.abc import Sequence

from union.bib_record import BibRecord
from union.feed.records import Holding
from union.feed.xmltext import text

NAMESPACE = "http://www.openarchives.org/OAI/2.0/oai_dc/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor",
            "date", "type", "format", "identifier", "source", "language", "relation",
            "coverage", "rights")

_OPEN = (
    f'<oai_dc:dc xmlns:oai_dc="{NAMESPACE}" xmlns:dc="{DC_NAMESPACE}" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    f'xsi:schemaLocation="{NAMESPACE} {SCHEMA}">'
)
_CLOSE = "</oai_dc:dc>"
# Our formats as DCMI Type vocabulary terms (https://www.dublincore.org/specifications/
# dublin-core/dcmi-type-vocabulary/).
DCMI_TYPES = {
    "book": "Text", "ebook": "Text", "serial": "Text", "score": "Text",
    "manuscript": "Text", "map": "StillImage", "visual": "StillImage", "sound": "Sound",
    "video": "MovingImage", "computer_file": "Software", "kit": "Collection",
    "mixed": "Collection",
}


def _title(bib: BibRecord) -> str:
    title = bib.title
    if bib.subtitle:
        title = f"{title} : {bib.subtitle}"
    for part in (bib.part_number, bib.part_name):
        if part:
            title = f"{title}. {part}"
    return title


def holding_statement(holding: Holding) -> str:
    """One branch's holding as a sentence: "Held by NAME (CODE): 2 copies, call number X"."""
    copies = len(holding.items)
    words = f"Held by {holding.branch_name} ({holding.branch_code})"
    if copies:
        words += f": {copies} {'copy' if copies == 1 else 'copies'}"
    numbers = sorted({i.call_number for i in holding.items if i.call_number})
    if numbers:
        words += f", call number {'; '.join(numbers)}"
    return words


def oai_dc(bib: BibRecord, holdings: Sequence[Holding] = ()) -> str:
    """The ``oai_dc:dc`` element for one work."""
    out = [_OPEN, "<dc:title>", text(_title(bib)), "</dc:title>"]
    add = out.append
    contributors: list[str] = []
    for agent in bib.agents:
        if agent.main or agent.role == "author":
            add(f"<dc:creator>{text(agent.name)}</dc:creator>")
        else:
            contributors.append(agent.name)
    for name in contributors:
        add(f"<dc:contributor>{text(name)}</dc:contributor>")
    for subject in bib.subjects:
        add(f"<dc:subject>{text(subject)}</dc:subject>")
    for number in bib.classifications:
        add(f"<dc:subject>{text(number)}</dc:subject>")
    for statement in (bib.responsibility, bib.edition):  # DC has no element of their own
        if statement:
            add(f"<dc:description>{text(statement)}</dc:description>")
    for note in bib.notes:
        add(f"<dc:description>{text(note)}</dc:description>")
    for holding in holdings:
        add(f"<dc:description>{text(holding_statement(holding))}</dc:description>")
    if bib.publisher:
        add(f"<dc:publisher>{text(bib.publisher)}</dc:publisher>")
    if bib.year is not None:
        add(f"<dc:date>{bib.year:04d}</dc:date>")
    elif bib.date_text:
        add(f"<dc:date>{text(bib.date_text)}</dc:date>")
    add(f"<dc:type>{DCMI_TYPES.get(bib.format, 'Text')}</dc:type>")
    add(f"<dc:type>{text(bib.format)}</dc:type>")
    for physical in (bib.extent, bib.dimensions):
        if physical:
            add(f"<dc:format>{text(physical)}</dc:format>")
    for isbn in bib.isbns:
        add(f"<dc:identifier>urn:isbn:{text(isbn)}</dc:identifier>")
    for issn in bib.issns:
        add(f"<dc:identifier>urn:issn:{text(issn)}</dc:identifier>")
    for lccn in bib.lccns:
        add(f"<dc:identifier>info:lccn/{text(lccn)}</dc:identifier>")
    for oclc in bib.oclc_numbers:
        add(f"<dc:identifier>(OCoLC){text(oclc)}</dc:identifier>")
    for language in bib.languages:
        add(f"<dc:language>{text(language)}</dc:language>")
    for series in bib.series:
        add(f"<dc:relation>{text(series)}</dc:relation>")
    add(_CLOSE)
    return "".join(out)
