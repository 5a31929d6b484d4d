"""The kind of material (``BibRecord.format``) from MARC coded data or Dublin Core terms."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Leader/06 type of record -> format, for the types that need no further look.
_LEADER_TYPE = {
    "t": "manuscript", "c": "score", "d": "score", "e": "map", "f": "map",
    "i": "sound", "j": "sound", "k": "visual", "m": "computer_file", "o": "kit",
    "p": "mixed", "r": "visual",
}
_SERIAL_LEVELS = frozenset("bis")
# 008/23 form of item for books: online, direct electronic, electronic.
_ELECTRONIC_FORMS = frozenset("oqs")
# 008/33 type of visual material that is a moving image: motion picture, videorecording.
_MOVING_IMAGE = frozenset("mv")

_DC_TERMS = {
    "book": (
        "text", "book", "buku", "monograph", "monografi", "printed text", "teks", "tercetak",
        "print", "printed", "microform", "microfilm", "microfiche", "mikrofilm", "thesis",
        "skripsi", "tesis", "disertasi", "dissertation", "laporan", "report",
    ),
    "ebook": (
        "ebook", "e-book", "buku elektronik", "electronic book", "electronic resource",
        "sumber elektronik", "application/pdf", "application/epub+zip", "pdf", "epub",
    ),
    "serial": (
        "serial", "periodical", "journal", "jurnal", "majalah", "magazine", "newspaper",
        "surat kabar", "koran", "terbitan berseri", "berkala", "buletin", "bulletin",
    ),
    "map": (
        "map", "peta", "atlas", "globe", "cartographic", "cartographic material",
        "bahan kartografi",
    ),
    "score": ("score", "musical score", "notated music", "partitur", "music", "musik"),
    "sound": (
        "sound", "sound recording", "audio", "audiobook", "kaset", "cassette", "cd audio",
        "rekaman suara", "spoken word",
    ),
    "video": (
        "movingimage", "moving image", "video", "video recording", "videorecording", "dvd",
        "vcd", "film", "rekaman video", "motion picture",
    ),
    "visual": (
        "image", "stillimage", "still image", "picture", "gambar", "foto", "photograph",
        "poster", "chart", "slide", "transparency", "filmstrip", "art original",
        "technical drawing", "diorama", "realia", "physicalobject", "physical object",
        "model", "game", "flash card", "graphic", "grafis",
    ),
    "computer_file": (
        "software", "computer software", "computer file", "computer files", "dataset",
        "interactiveresource", "interactive resource", "cd-rom", "cdrom", "berkas komputer",
    ),
    "kit": ("kit", "multimedia"),
    "manuscript": ("manuscript", "naskah", "manuskrip", "naskah kuno"),
    "mixed": ("mixed", "mixed materials", "collection"),
}
_DC_LOOKUP = {term: fmt for fmt, terms in _DC_TERMS.items() for term in terms}
_MIME_PREFIX = {"audio/": "sound", "video/": "video", "image/": "visual", "text/": "book"}
# A physical description ("xiv, 392 p. : ill. ; 24 cm", "200 hlm.") rather than a format.
_EXTENT = re.compile(
    r"\d\s*(?:p|pp|hlm|halaman|pages?|leaves|lembar|jil|jilid|vols?|v|cm|mm|sheets?|"
    r"min|menit|disks?|discs?)\b",
    re.IGNORECASE,
)


def marc_format(leader: str, control_007: Iterable[str] = (), control_008: str = "") -> str:
    """Return the format of a MARC record from leader/06-07, 007/00 and 008.

    Language material is a "book", an "ebook" when 008/23 or an 007 says electronic, or a
    "serial" when leader/07 says serial or integrating resource.
    """
    record_type = leader[6:7]
    level = leader[7:8]
    fixed = _LEADER_TYPE.get(record_type)
    if fixed is not None:
        return fixed
    if record_type == "g":
        moving = control_008[33:34] in _MOVING_IMAGE or any(
            f[:1] in ("m", "v") for f in control_007
        )
        return "video" if moving else "visual"
    if level in _SERIAL_LEVELS:
        return "serial"
    electronic = control_008[23:24] in _ELECTRONIC_FORMS or any(
        f[:1] == "c" for f in control_007
    )
    return "ebook" if electronic else "book"


def dc_format(values: Iterable[str]) -> str | None:
    """Return the format named by the first recognized DC type/format term, or None.

    Accepts DCMI types ("Text", "MovingImage"), MIME types, and the Indonesian and
    English material designations SLiMS uses ("Text", "Peta", "Sound Recording").
    """
    for value in values:
        term = value.strip().lower().rstrip(".")
        found = _DC_LOOKUP.get(term)
        if found is None:
            found = next((f for p, f in _MIME_PREFIX.items() if term.startswith(p)), None)
        if found is not None:
            return found
    return None


def looks_like_extent(value: str) -> bool:
    """True for a physical description ("xiv, 392 p. : ill. ; 24 cm") rather than a type."""
    return bool(_EXTENT.search(value))
