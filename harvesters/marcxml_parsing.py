"""One MARCXML record, as an XML element or a stored payload, into a Unicode pymarc
Record (pure).

:func:`record_from_marcxml` walks the element; :func:`record_from_plain_canonical` reads
the same record from the element's exclusive canonical form when it is plain, at a
fraction of the cost.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial

from lxml import etree
from pymarc import Field, Indicators, Record, Subfield

from harvesters.marc_record import (
    COMMON_INDICATORS,
    LEADER_LENGTH,
    MarcDataError,
    ParsedMarc,
    control_field,
    data_field,
    make_record,
)
from harvesters.xml_safety import safe_parser

MARCXML_NAMESPACES = frozenset(
    {
        "http://www.loc.gov/MARC21/slim",
        "info:lc/xmlns/marcxchange-v1",  # ISO 25577 MarcXchange, same element names
        "info:lc/xmlns/marcxchange-v2",
    }
)

# Bound once as a module global: the readers call it for every subfield.
_tuple_new = tuple.__new__


def is_marcxml_record(element: etree._Element) -> bool:
    """Whether ``element`` is a MARCXML record: a MARC (or no) namespace ``record``."""
    tag = element.tag
    if not isinstance(tag, str):
        return False
    namespace, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
    return local == "record" and (not namespace or namespace in MARCXML_NAMESPACES)


def record_from_marcxml(element: etree._Element) -> ParsedMarc:
    """Convert a MARCXML ``record`` element into a pymarc Record.

    Refuses (MarcDataError) a field without its tag, a subfield without its code, an
    element where a subfield belongs and an entity reference, since each would lose
    text; ignores comments and non-MARC elements directly under the record (noted).
    """
    for entity in element.iter(etree.Entity):
        raise MarcDataError(
            f"entity reference {entity.text} at line {entity.sourceline} is not expanded: "
            "XML entities are refused"
        )
    notes: list[str] = []
    leader: str | None = None
    fields: list[Field] = []
    for child in element:
        name = child.tag
        if not isinstance(name, str):
            continue  # comment or processing instruction
        local = name.rpartition("}")[2]
        if local == "datafield":
            fields.append(_xml_data_field(child, notes))
        elif local == "controlfield":
            tag = _xml_tag(child, "controlfield", notes)
            if len(child):
                raise MarcDataError(
                    f"controlfield {tag} at line {child.sourceline} contains elements"
                )
            fields.append(control_field(tag, child.text or ""))
        elif local == "leader":
            leader = child.text or ""
        else:
            notes.append(f"ignored <{local}> element at line {child.sourceline}")
    if leader is None:
        if not fields:
            raise MarcDataError("empty record: no leader and no fields")
        notes.append("record has no leader; a blank one is used")
        leader = " " * LEADER_LENGTH
    elif len(leader) != LEADER_LENGTH:
        notes.append(f"leader {leader!r} is {len(leader)} characters, not 24; padded/cut")
        leader = leader[:LEADER_LENGTH].ljust(LEADER_LENGTH)
    if not fields:
        raise MarcDataError("record has a leader but no fields")
    return ParsedMarc(make_record(leader, fields), notes)


# The canonical form (exclusive C14N, as harvesters.oai.convert.canonical writes it) of a
# plain MARCXML record: attributes in sorted order and double quotes, no comments, no
# empty-element tags, every element with the record's own prefix (or none). Text between
# elements is ignored, as the element walk ignores it. Anything else (other attributes, a
# missing indicator, an element inside a subfield, mixed prefixes) does not match and
# takes the element walk.
_C14N_ROOT = re.compile(r"<(?P<prefix>(?:[A-Za-z_][\w.-]*:)?)record(?:\s[^>]*)?>")


@lru_cache(maxsize=16)
def _c14n_patterns(prefix: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The field, subfield and end patterns of a record whose prefix is ``prefix``.

    With the prefix spelled out the patterns need no backtracking over an optional one,
    which made matching half as slow again.
    """
    p = re.escape(prefix)
    field = re.compile(
        rf"""[^<]*<{p}(?:
            leader>(?P<leader>[^<]*)</[^>]+>
          | controlfield\stag="(?P<ctag>[^"&<]{{3}})">(?P<data>[^<]*)</[^>]+>
          | datafield\sind1="(?P<ind1>[^"&<])"\sind2="(?P<ind2>[^"&<])"
            \stag="(?P<dtag>[^"&<]{{3}})">
            (?P<subfields>(?:[^<]*<{p}subfield\scode="[^"&<]">[^<]*</[^>]+>)*)[^<]*</[^>]+>
        )""",
        re.VERBOSE,
    )
    subfield = re.compile(rf'<{p}subfield\scode="([^"&<])">([^<]*)</')
    end = re.compile(rf"[^<]*</{p}record>")
    return field, subfield, end


# The only references C14N writes in text: anything else is an entity (refused).
_C14N_ESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&#xD;": "\r"}
_C14N_REFERENCE = re.compile(r"&[^;]*;")


# A (code, value) pair as a pymarc Subfield, without the namedtuple's argument handling.
_as_subfield = partial(_tuple_new, Subfield)


class _NotPlain(Exception):
    """The canonical record holds something only the element walk reads correctly."""


def canonical_may_be_plain(element: etree._Element) -> bool:
    """False if only the element walk reads ``element`` correctly, whatever its canonical
    form looks like."""
    # Comments are not in the canonical form, and the walk refuses one inside a field;
    # processing instructions are the walk's to judge too. (An element holding an
    # entity reference has no canonical form: C14N fails on it.)
    return next(element.iter(etree.Comment, etree.ProcessingInstruction), None) is None


def record_from_plain_canonical(canonical: bytes) -> Record | None:
    """The record ``record_from_marcxml(element)`` gives, read from ``canonical`` (the
    element's exclusive canonical form) at a fraction of the cost, for an element that
    :func:`canonical_may_be_plain`; None when the record is not plain (a note, a refusal
    or an unusual shape), so the caller walks the element.

    Walking the element costs a Python object per node; one regular expression pass over
    the canonical text, which the harvester makes anyway for the payload, does not. The
    two checks are apart because the canonical text may be read in another process.
    """
    text = canonical.decode("utf-8")
    root = _C14N_ROOT.match(text)
    if root is None:
        return None
    field_pattern, subfield_pattern, end_pattern = _c14n_patterns(root["prefix"])
    leader: str | None = None
    fields: list[Field] = []
    append = fields.append
    pos = root.end()
    match = field_pattern.match
    subfields_in = subfield_pattern.findall
    # Without a reference anywhere, the subfields' texts are as found.
    escaped = "&" in text
    try:
        while (found := match(text, pos)) is not None:
            pos = found.end()
            leader_text, ctag, data, ind1, ind2, dtag, subs = found.groups()
            if dtag is not None:
                if escaped:
                    subfields = [_tuple_new(Subfield, (code, _c14n_text(value)))
                                 for code, value in subfields_in(subs)]
                else:
                    subfields = list(map(_as_subfield, subfields_in(subs)))
                indicators = COMMON_INDICATORS.get(ind1 + ind2)
                if indicators is None:
                    return None
                append(data_field(dtag, indicators, subfields))
            elif ctag is not None:
                append(control_field(ctag, _c14n_text(data)))
            else:
                leader = _c14n_text(leader_text)
    except _NotPlain:
        return None
    if leader is None or len(leader) != LEADER_LENGTH or not fields:
        return None
    if end_pattern.fullmatch(text, pos) is None:
        return None
    return make_record(leader, fields)


def _c14n_text(value: str) -> str:
    if "&" not in value:
        return value
    try:
        return _C14N_REFERENCE.sub(lambda ref: _C14N_ESCAPES[ref.group()], value)
    except KeyError:
        raise _NotPlain from None


def _xml_tag(element: etree._Element, kind: str, notes: list[str]) -> str:
    tag = element.get("tag")
    if not tag:
        raise MarcDataError(f"{kind} without a tag at line {element.sourceline}")
    if len(tag) < 3 and tag.isdigit():
        notes.append(f"{kind} tag {tag!r} at line {element.sourceline} read as {tag:0>3}")
        return f"{tag:0>3}"
    return tag


def _xml_data_field(element: etree._Element, notes: list[str]) -> Field:
    tag = _xml_tag(element, "datafield", notes)
    attrib = element.attrib
    ind1 = attrib.get("ind1") or " "
    ind2 = attrib.get("ind2") or " "
    if len(ind1) != 1 or len(ind2) != 1:
        notes.append(f"field {tag}: indicators {ind1!r} {ind2!r} cut to one character")
    subfields = []
    for sub in element:
        name = sub.tag
        if not isinstance(name, str):
            continue
        if name.rpartition("}")[2] != "subfield":
            raise MarcDataError(
                f"unexpected <{name.rpartition('}')[2]}> element in datafield {tag} "
                f"at line {sub.sourceline}"
            )
        code = sub.get("code")
        if not code:
            raise MarcDataError(
                f"subfield without a code in datafield {tag} at line {sub.sourceline}"
            )
        if len(sub):
            raise MarcDataError(
                f"subfield {code} of datafield {tag} at line {sub.sourceline} contains elements"
            )
        if len(code) != 1:
            notes.append(f"field {tag}: subfield code {code!r} cut to {code[0]!r}")
        subfields.append(_tuple_new(Subfield, (code[0], sub.text or "")))
    return data_field(tag, _tuple_new(Indicators, (ind1[0], ind2[0])), subfields)



def parse_marcxml(payload: bytes) -> ParsedMarc:
    """Parse one stored MARCXML ``record`` payload (as the harvester produced it)."""
    try:
        element = etree.fromstring(payload, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise MarcDataError(f"not well-formed XML: {exc}") from exc
    if not is_marcxml_record(element):
        raise MarcDataError(f"not a MARCXML record element: <{element.tag}>")
    return record_from_marcxml(element)
