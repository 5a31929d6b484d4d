"""Relator terms and codes (MARC $e / $4 / $j) to the plain English roles of ``Agent``.

Indonesian catalogues write relators in Indonesian ("penyunting", "alih bahasa"), so both
languages are mapped; abbreviations from AACR2-era records ("ed.", "tr.") too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

AUTHOR = "author"
CONTRIBUTOR = "contributor"

# MARC relator codes (https://www.loc.gov/marc/relators/) for the roles worth telling apart.
_CODES = {
    "aut": AUTHOR, "cre": AUTHOR, "wam": AUTHOR, "edt": "editor", "edc": "editor",
    "pbd": "editor", "trl": "translator", "ill": "illustrator", "art": "illustrator",
    "com": "compiler", "ctb": CONTRIBUTOR, "aui": "author of introduction",
    "aft": "author of afterword", "pht": "photographer", "adp": "adapter",
    "cmm": "commentator", "cwt": "commentator", "ann": "annotator", "nrt": "narrator",
    "cmp": "composer", "lyr": "lyricist", "drt": "director", "prf": "performer",
    "pbl": "publisher", "isb": "issuing body", "spn": "sponsor", "orm": "organizer",
    "dgg": "degree granting institution", "ths": "thesis advisor", "rev": "reviewer",
    "res": "researcher", "ivr": "interviewer", "ive": "interviewee", "trc": "transcriber",
    "cwe": "editor", "dsr": "designer", "own": "owner", "fmo": "former owner",
}
# Terms as written in $e, lowercased with punctuation removed.
_TERMS = {
    AUTHOR: (
        "author", "authors", "writer", "joint author", "co-author", "creator", "pengarang",
        "penulis", "pengarang bersama", "penulis bersama", "karya", "oleh",
    ),
    "editor": (
        "editor", "editors", "ed", "eds", "edited by", "editor-in-chief", "editor in chief",
        "penyunting", "penyunting pelaksana", "penyunting ahli", "redaktur", "redaksi",
        "editor of compilation", "penyelia", "ketua penyunting",
    ),
    "translator": (
        "translator", "tr", "trans", "translated by", "penerjemah", "penterjemah",
        "alih bahasa", "pengalih bahasa", "pengalihbahasa", "diterjemahkan oleh",
        "terjemahan", "penerjemahan",
    ),
    "illustrator": (
        "illustrator", "ill", "illus", "ilustrator", "ilustrasi", "pelukis", "penggambar",
        "artist",
    ),
    "compiler": ("compiler", "comp", "compiled by", "penyusun", "penghimpun", "kompilator",
                 "disusun oleh", "himpunan"),
    CONTRIBUTOR: ("contributor", "kontributor", "collaborator"),
    "photographer": ("photographer", "fotografer", "foto", "juru foto"),
    "adapter": ("adapter", "penyadur", "saduran", "adaptasi"),
    "author of introduction": (
        "author of introduction", "writer of introduction", "kata pengantar", "pengantar",
        "prakata", "author of foreword", "writer of foreword",
    ),
    "commentator": ("commentator", "komentator", "pensyarah", "pemberi komentar"),
    "annotator": ("annotator", "anotator", "pemberi catatan", "pentahqiq", "pentahkik"),
    "narrator": ("narrator", "pencerita", "narator"),
    "composer": ("composer", "komponis", "pencipta lagu"),
    "director": ("director", "sutradara", "film director"),
    "publisher": ("publisher", "penerbit"),
    "sponsor": ("sponsor", "sponsoring body", "penyandang dana"),
    "issuing body": ("issuing body", "badan penerbit"),
    "thesis advisor": ("thesis advisor", "pembimbing", "dosen pembimbing"),
    "degree granting institution": ("degree granting institution",),
    "designer": ("designer", "desainer", "perancang", "desain sampul", "cover designer"),
}
_TERM_LOOKUP = {term: role for role, terms in _TERMS.items() for term in terms}
_PUNCTUATION = re.compile(r"[^\w\s-]")


def role_from_term(term: str | None) -> str | None:
    """Map one relator term ("penyunting", "ed.", "joint author") to a role, or None."""
    if not term:
        return None
    key = " ".join(_PUNCTUATION.sub(" ", term.lower()).split())
    if not key:
        return None
    role = _TERM_LOOKUP.get(key)
    if role is None and " " in key:
        role = _TERM_LOOKUP.get(key.split(" ", 1)[0])  # "penyunting ahli bahasa"
    return role


def role_from_code(code: str | None) -> str | None:
    """Map a MARC relator code ("edt", "trl") to a role, or None."""
    if not code:
        return None
    return _CODES.get(code.strip().lower().rstrip("."))


def role_from_relators(terms: Iterable[str], codes: Iterable[str]) -> str | None:
    """Return the first recognized role among relator codes, then terms, or None."""
    for code in codes:
        role = role_from_code(code)
        if role is not None:
            return role
    for term in terms:
        role = role_from_term(term)
        if role is not None:
            return role
    return None
