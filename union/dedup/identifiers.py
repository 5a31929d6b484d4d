"""Identifiers as matching compares them: a record's standard numbers (ISBN-13, ISSN,
LCCN, OCLC, national bibliography numbers) as sets, ready for intersection."""

from __future__ import annotations

from dataclasses import dataclass

from union.bib_record import BibRecord
from union.normalize.identifiers import isbn13

__all__ = ["Identifiers", "identifiers_of"]


@dataclass(frozen=True, slots=True)
class Identifiers:
    """A record's standard numbers as sets, ready for intersection."""

    isbns: frozenset[str] = frozenset()
    issns: frozenset[str] = frozenset()
    lccns: frozenset[str] = frozenset()
    oclc_numbers: frozenset[str] = frozenset()
    national_numbers: frozenset[str] = frozenset()


def identifiers_of(record: BibRecord) -> Identifiers:
    """The identifier sets of ``record``.

    ISBNs are re-normalized defensively (an ISBN-10 that slipped through becomes its
    ISBN-13 through ``union.normalize.identifiers.isbn13``; an invalid one is dropped).
    """
    isbns = set()
    for value in record.isbns:
        normalized = isbn13(value)
        if normalized:
            isbns.add(normalized)
    return Identifiers(
        isbns=frozenset(isbns),
        issns=frozenset(v.upper() for v in record.issns if v),
        lccns=frozenset(v.replace(" ", "").lower() for v in record.lccns if v),
        oclc_numbers=frozenset(v.lstrip("0") for v in record.oclc_numbers if v),
        national_numbers=frozenset(v.replace(" ", "").lower() for v in record.national_numbers),
    )
