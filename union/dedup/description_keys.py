"""The publication and physical description as matching compares them: publisher keys
(legal forms and the word "Penerbit" removed) and extents (pages, volumes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from union.bib_record import BibRecord
from union.dedup.numbering import wordset
from union.text.folding import fold_characters, fold_text

__all__ = ["Extent", "extent_of", "parse_extent", "publisher_key"]


# ------------------------------------------------------------------------------ publishers

# Legal forms of Indonesian, Malaysian and other firms, and the word "Penerbit".
_PUBLISHER_NOISE = wordset(
    """
    pt cv tbk ud fa firma persero perum nv ltd inc co corp sdn bhd pte plc gmbh bv llc
    penerbit
    """
)


@lru_cache(maxsize=1 << 16)
def publisher_key(publisher: str | None) -> str:
    """Folded publisher name without legal forms and the word "Penerbit".

    "Penerbit PT Gramedia Pustaka Utama" -> "gramedia pustaka utama"; "CV. Pustaka Jaya"
    -> "pustaka jaya" ("Pustaka" is part of names and stays). Memoized.
    """
    words = [w for w in fold_text(publisher).split() if w not in _PUBLISHER_NOISE]
    return " ".join(words)


# --------------------------------------------------------------------------------- extents


@dataclass(frozen=True, slots=True)
class Extent:
    """Physical extent: the main page (or leaf) count, and the number of volumes.

    ``volumes`` is None for a single volume with a page count; ``multipart`` marks a set
    ("3 v.", "v. <1-3>", "2 jil.").
    """

    pages: int | None = None
    volumes: int | None = None
    multipart: bool = False


_PAGES = re.compile(
    r"(\d{1,5})\s*\]?\s*(?:p|pp|pages|hlm|hal|halaman|h|leaves|leaf|lembar|lbr|l|blz|s)\b"
)
_VOLUMES = re.compile(r"\b(\d{1,3})\s*(?:v|vol|vols|jil|jilid|jld|buku)\b\.?")
# An open set without a count: "v. <1-10>", "jil. ; 21 cm". A bare roman "v," is pages.
_OPEN_SET = re.compile(r"^\s*(?:v|vol|vols|jil|jilid|jld)\.")
_BARE_NUMBER = re.compile(r"^\s*\[?(\d{1,5})\]?\s*$")


@lru_cache(maxsize=1 << 16)
def parse_extent(text: str | None) -> Extent:
    """Read a physical description extent: "xviii, 351 p." -> 351 pages; "3 v." -> a set
    of 3; "1 v. (various foliations)" -> one volume; "v. <1-10>" -> a set, count unknown.
    Memoized.
    """
    if not text:
        return Extent()
    folded = fold_characters(text)
    head = folded.split(":")[0].split(";")[0]
    # "2 v. in 1 (344 p.)" is one physical volume: the pages decide.
    volumes: int | None = None
    multipart = False
    volume_match = _VOLUMES.search(head.split("(")[0])
    if not re.search(r"\bin\s+1\b", head):
        if volume_match:
            volumes = int(volume_match.group(1))
            multipart = volumes > 1
        elif _OPEN_SET.match(head):
            multipart = True
    pages = [int(m.group(1)) for m in _PAGES.finditer(head)]
    if not pages:
        bare = _BARE_NUMBER.match(head)
        if bare:
            pages = [int(bare.group(1))]
    return Extent(max(pages) if pages else None, volumes, multipart)


def extent_of(record: BibRecord) -> Extent:
    """The record's extent, read with :func:`parse_extent`."""
    return parse_extent(record.extent)
