"""Each reader accounts for every record-like unit of every file in the MARC corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from tests.harvesters.marc_corpus import MARC, MARC_NS, is_iso, read


def _corpus() -> list[Path]:
    files = sorted(p for p in MARC.rglob("*") if p.is_file())
    return [p for p in files if is_iso(p) or p.suffix == ".xml"]


def _expected_iso_units(data: bytes) -> int:
    """Record-like units by a naive split on the record terminator: every chunk that is
    not just padding, plus an unterminated tail that is not just padding."""
    chunks = data.split(b"\x1d")
    padding = re.compile(rb"[\x00\t\n\r \x1a]*")
    return sum(1 for chunk in chunks if padding.fullmatch(chunk) is None)


def _local(element: etree._Element) -> tuple[str | None, str]:
    qname = etree.QName(element)
    return qname.namespace, qname.localname


def _is_marc(element: etree._Element, name: str) -> bool:
    namespace, local = _local(element)
    return local == name and namespace in (None, MARC_NS)


def _expected_xml_units(path: Path) -> int:
    """MARC records (innermost MARC-or-no-namespace ``record`` elements), MARC fields
    outside any record, and one report for a document with no record at all; counted
    on the whole tree, independently of the streaming reader."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    records = [
        e
        for e in elements
        if _is_marc(e, "record")
        and not any(_is_marc(d, "record") for d in e.iterdescendants() if isinstance(d.tag, str))
    ]
    strays = [
        e
        for e in elements
        if any(_is_marc(e, name) for name in ("leader", "controlfield", "datafield"))
        and not any(_is_marc(a, "record") for a in e.iterancestors())
    ]
    empty_document = not records and _local(root)[1] not in ("collection", "record")
    return len(records) + len(strays) + int(empty_document)


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(MARC)))
def test_every_unit_in_the_corpus_is_read_or_reported(path: Path) -> None:
    records, failures = read(path)
    expected = _expected_iso_units(path.read_bytes()) if is_iso(path) else _expected_xml_units(path)
    assert len(records) + len(failures) == expected
    for failure in failures:
        assert failure.reason
        if is_iso(path):
            assert failure.position.offset is not None
        else:
            assert failure.position.line is not None


def test_the_corpus_covers_every_marc_looking_file() -> None:
    known = {p for p in _corpus()}
    others = [
        p
        for p in MARC.rglob("*")
        if p.is_file() and p not in known and p.read_bytes()[:5].isdigit()
    ]
    assert others == []
