"""What the search index holds for one work: a flat, frozen document.

A :class:`SearchDocument` is built from a work's merged display record and the union
holdings (which branches hold it, where a copy is on the shelf now); the index is derived
from these and can be rebuilt at any time. :func:`document_from_bib` builds one from a
single :class:`~union.bib_record.BibRecord`, which is what tests and the benchmark use and
what a one-member work amounts to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from union.bib_record import BibRecord

__all__ = ["DISPLAY_AUTHORS", "SearchDocument", "document_from_bib"]

#: How many authors the stored display fields keep.
DISPLAY_AUTHORS = 3
_NOT_ISBN_CHARACTER = re.compile(r"[^0-9X]")
_TUPLE_FIELDS = (
    "authors",
    "subjects",
    "languages",
    "isbns",
    "branches",
    "available_branches",
    "series",
)


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """One work as the search index sees it.

    ``isbns`` are ISBN-13s without hyphens (a misprinted ISBN may be included as printed,
    so that it can still be looked up); ``languages`` are MARC codes ("ind");
    ``branches`` are the codes of the branches holding a copy, ``available_branches``
    those with a copy on the shelf now; ``local`` marks works about the federation's own
    region. ``title_nonfiling`` is how many leading characters of ``title`` sorting
    skips. ``display`` holds extra stored values for the result list (edition, call
    number, cover URL...), merged over :meth:`display_fields`.

    Sequence fields accept lists and are stored as tuples.
    """

    id: str
    title: str
    subtitle: str | None = None
    authors: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    publisher: str | None = None
    year: int | None = None
    languages: tuple[str, ...] = ()
    format: str = "book"
    isbns: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()
    available_branches: tuple[str, ...] = ()
    local: bool = False
    series: tuple[str, ...] = ()
    title_nonfiling: int = 0
    display: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("a search document needs an id")
        for name in _TUPLE_FIELDS:
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} must be a sequence of strings, not a string")
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        if self.year is not None and not isinstance(self.year, int):
            raise TypeError("year must be an int or None")

    @property
    def sort_title(self) -> str:
        """The title without its non-filing prefix ("The ", "Al-")."""
        return self.title[self.title_nonfiling :] if self.title_nonfiling else self.title

    def display_fields(self) -> dict[str, Any]:
        """The short dict stored with the document and returned with every hit."""
        fields: dict[str, Any] = {"id": self.id, "title": self.title}
        if self.subtitle:
            fields["subtitle"] = self.subtitle
        if self.authors:
            fields["authors"] = list(self.authors[:DISPLAY_AUTHORS])
        if self.publisher:
            fields["publisher"] = self.publisher
        if self.year is not None:
            fields["year"] = self.year
        fields["format"] = self.format
        if self.languages:
            fields["languages"] = list(self.languages)
        if self.isbns:
            fields["isbns"] = list(self.isbns)
        fields["branches"] = list(self.branches)
        fields["available_branches"] = list(self.available_branches)
        fields.update(self.display)
        return fields


def document_from_bib(
    work_id: str,
    bib: BibRecord,
    *,
    home_branch: str | None = None,
    local: bool = False,
    extra_branches: Iterable[str] = (),
) -> SearchDocument:
    """A search document for a work with this one bib record.

    Items without a branch belong to ``home_branch`` (the branch whose catalogue the
    record came from); an item counts as on the shelf when its status is "available".
    ``extra_branches`` are further holding branches (a work's other members).
    """
    branches: list[str] = []
    available: list[str] = []
    for item in bib.items:
        branch = item.branch or home_branch
        if branch is None:
            continue
        if branch not in branches:
            branches.append(branch)
        if item.status == "available" and branch not in available:
            available.append(branch)
    for branch in (home_branch, *extra_branches):
        if branch is not None and branch not in branches:
            branches.append(branch)
    authors = [agent.name for agent in sorted(bib.agents, key=lambda a: not a.main)]
    display: dict[str, Any] = {}
    if bib.edition:
        display["edition"] = bib.edition
    if bib.place:
        display["place"] = bib.place
    return SearchDocument(
        id=work_id,
        title=bib.title,
        subtitle=bib.subtitle,
        authors=tuple(dict.fromkeys(authors)),
        subjects=bib.subjects,
        publisher=bib.publisher,
        year=bib.year,
        languages=bib.languages,
        format=bib.format,
        isbns=tuple(dict.fromkeys(bib.isbns + tuple(_compact_isbn(i) for i in bib.invalid_isbns))),
        branches=tuple(branches),
        available_branches=tuple(available),
        local=local,
        series=bib.series,
        title_nonfiling=bib.title_nonfiling,
        display=display,
    )


def _compact_isbn(printed: str) -> str:
    """A misprinted ISBN as digits (and X), the way the ISBN field is searched."""
    return _NOT_ISBN_CHARACTER.sub("", printed.upper())
