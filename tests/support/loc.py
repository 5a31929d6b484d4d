"""The real Library of Congress records of Indonesian books, normalized, for tests."""

from __future__ import annotations

from functools import cache

import pymarc

from tests.support.paths import LOC_INDONESIAN
from union.bib_record import BibRecord
from union.normalize.marc import bib_from_marc


@cache
def _by_lccn() -> dict[str, BibRecord]:
    with LOC_INDONESIAN.open("rb") as handle:
        bibs = (bib_from_marc(m) for m in pymarc.MARCReader(handle, to_unicode=True))
        return {bib.lccns[0]: bib for bib in bibs}


def loc(lccn: str) -> BibRecord:
    """The real LoC record with this LCCN, normalized."""
    return _by_lccn()[lccn]


def loc_bibs() -> list[BibRecord]:
    """All 2,828 records, normalized, in file order."""
    return list(_by_lccn().values())
