"""Readers of single Dublin Core values: titles, names, class numbers, identifiers.

Dublin Core has no subfields, so the structure MARC gives for free (title vs subtitle,
person vs body, ISBN vs call number) is recovered here from the text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from union.bib_record import Agent
from union.normalize.identifiers import (
    isbn13,
    isbn_candidate,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)
from union.normalize.roles import AUTHOR, CONTRIBUTOR, role_from_term
from union.normalize.text import clean, tidy

# "Title : subtitle" or "Title: subtitle" (a colon followed by a space).
_SUBTITLE = re.compile(r"\s*:\s+")
_RESPONSIBILITY = re.compile(r"\s+/\s+")
# A Dewey number as SLiMS and others put it among subjects: "005.13/3 22" (edition
# after the space), "364.1323", and the Indonesian Islamic notation "2X4.1".
_DDC = re.compile(r"^(\d{3}|\dX\d)(\.[\d/']+)?(?:\s+\d{1,2})?$")
_ROLE_SUFFIX = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]+)[)\]]$")
# Words that mark a name as a corporate body when nothing else says so.
_BODY_WORDS = frozenset(
    {
        "badan", "balai", "biro", "dinas", "departemen", "direktorat", "kementerian", "kantor",
        "lembaga", "pusat", "pemerintah", "pemerintahan", "perpustakaan", "universitas",
        "institut", "sekolah", "akademi", "yayasan", "perhimpunan", "persatuan", "ikatan",
        "asosiasi", "komisi", "dewan", "majelis", "panitia", "bank", "pt", "cv", "university",
        "institute", "department", "ministry", "office", "association", "society", "council",
        "committee", "commission", "foundation", "library", "bureau", "agency", "press",
        "company", "corporation", "organization", "organisation",
    }
)
_WORDS = re.compile(r"[^\W\d_]+")


def split_title(value: str) -> tuple[str, str | None, str | None]:
    """Split a transcribed title into (title, subtitle, responsibility).

    "Ajax : creating Web pages / Edmond Woychowsky" gives ("Ajax", "creating Web pages",
    "Edmond Woychowsky").
    """
    text = clean(value)
    responsibility = None
    parts = _RESPONSIBILITY.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0]:
        text, responsibility = parts[0], tidy(parts[1]) or None
    subtitle = None
    parts = _SUBTITLE.split(text, maxsplit=1)
    if len(parts) == 2 and parts[0].strip():
        text, subtitle = parts[0], tidy(parts[1]) or None
    return tidy(text), subtitle, responsibility


def ddc_number(value: str) -> str | None:
    """"ddc:005.133" for a Dewey number among subjects ("005.13/3 22"), else None."""
    match = _DDC.match(clean(value))
    if not match:
        return None
    number = match.group(1) + (match.group(2) or "")
    return "ddc:" + number.replace("/", "").replace("'", "")


def guess_kind(name: str) -> str:
    """"body" when the name holds a word of corporate bodies and no comma, else "person".

    An inverted name ("Toer, Pramoedya Ananta") is a person; "Badan Pusat Statistik" and
    "Departemen Pendidikan Nasional" are bodies.
    """
    if "," in name:
        return "person"
    words = {w.lower() for w in _WORDS.findall(name)}
    return "body" if words & _BODY_WORDS else "person"


def agent_from_name(value: str, *, main: bool, default_role: str) -> Agent | None:
    """An Agent from a dc:creator or dc:contributor, reading a role given in brackets
    ("Sapardi Djoko Damono (penerjemah)")."""
    name = clean(value)
    role = None
    match = _ROLE_SUFFIX.match(name)
    if match:
        role = role_from_term(match.group(2))
        if role is not None:
            name = match.group(1)
    name = tidy(name).rstrip(",")
    if not name.strip(" ,.;:"):
        return None
    return Agent(name=name, kind=guess_kind(name), role=role or default_role, main=main)


def creator(value: str, *, main: bool) -> Agent | None:
    """dc:creator: an author unless the value names another role."""
    return agent_from_name(value, main=main, default_role=AUTHOR)


def contributor(value: str) -> Agent | None:
    """dc:contributor: a contributor unless the value names a role."""
    return agent_from_name(value, main=False, default_role=CONTRIBUTOR)


@dataclass(slots=True)
class Identifiers:
    """Identifiers sorted out of dc:identifier values, plus what could be a call number."""

    isbns: list[str] = field(default_factory=list)
    invalid_isbns: list[str] = field(default_factory=list)
    issns: list[str] = field(default_factory=list)
    lccns: list[str] = field(default_factory=list)
    oclc_numbers: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)

    def add_isbn(self, text: str) -> None:
        """A value known to be an ISBN: valid ones kept as ISBN-13, others as evidence."""
        candidate = isbn_candidate(text)
        valid = isbn13(candidate)
        if valid:
            self.isbns.append(valid)
        elif candidate or clean(text):
            self.invalid_isbns.append(candidate or clean(text))

    def add(self, value: str) -> None:
        """Sort one dc:identifier by its URN or label; a bare value is an ISBN or ISSN
        only when it validates as one, and anything else that is not a URL is kept in
        ``other``."""
        text = clean(value)
        lower = text.lower()
        if not text or lower.startswith(("http://", "https://", "ftp://", "doi:", "hdl:")):
            return
        if lower.startswith(("urn:isbn:", "isbn")):
            self.add_isbn(_after_label(text))
        elif lower.startswith(("urn:issn:", "issn")):
            self._keep(self.issns, normalize_issn(text))
        elif lower.startswith(("info:lccn/", "lccn")):
            self._keep(self.lccns, normalize_lccn(_after_label(text)))
        elif lower.startswith(("(ocolc)", "info:oclcnum/", "ocm", "ocn", "oclc")):
            number = _after_label(text) if lower.startswith(("info:", "oclc")) else text
            self._keep(self.oclc_numbers, normalize_oclc(number, bare_digits=True))
        else:
            valid = isbn13(isbn_candidate(text)) if any(ch.isdigit() for ch in text) else None
            if valid:
                self.isbns.append(valid)
            elif (issn := normalize_issn(text)) and len(text) <= 9:
                self.issns.append(issn)
            else:
                self.other.append(text)

    @staticmethod
    def _keep(target: list[str], value: str | None) -> None:
        if value:
            target.append(value)


_LABEL = re.compile(r"^(?:urn:[a-z]+:|info:[a-z]+/|[a-z]+(?:-1[03])?\s*:?)\s*", re.IGNORECASE)


def _after_label(text: str) -> str:
    """"URN:ISBN:0764541668", "ISBN 0764541668", "info:lccn/n79021164" -> the number."""
    return _LABEL.sub("", text, count=1)
