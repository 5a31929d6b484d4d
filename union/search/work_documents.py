"""The search document of a work, from its merged display record (pure).

The display record (:func:`union.works.display.display_record`) already holds the best
member's description, the union of identifiers and subjects over every member, and every
member branch's copies; this picks what the index searches, facets and shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from union.availability import Custody, branch_availability
from union.local_content import LocalMatcher
from union.search.documents import SearchDocument

__all__ = ["work_document"]


def _texts(display: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return tuple(value for value in display.get(name) or () if value)


def work_document(
    work_id: int | str,
    display: Mapping[str, Any],
    local_matcher: LocalMatcher,
    custody: Custody | None = None,
) -> SearchDocument:
    """The search document of the live work ``work_id`` with this display record.

    Authors are the agents' names, main entry first; ``available_branches`` and the
    stored per-branch ``availability`` ([branch, on the shelf, copies]) count copies
    with :func:`union.availability.branch_availability` (``custody``: sync custody
    states by (branch code, barcode)); ``local`` says whether the work is about the
    federation's region.
    """
    agents = sorted(display.get("agents") or (), key=lambda agent: not agent.get("main"))
    authors = tuple(dict.fromkeys(agent["name"] for agent in agents if agent.get("name")))
    availability = branch_availability(display, custody)
    shown: dict[str, Any] = {
        "availability": [[a.branch, a.available, a.total] for a in availability],
        "members": len(display.get("members") or ()),
    }
    for name in ("edition", "place", "responsibility", "extent"):
        if display.get(name):
            shown[name] = display[name]
    branches = tuple(dict.fromkeys(
        (*_texts(display, "branches"), *(a.branch for a in availability))))
    return SearchDocument(
        id=str(work_id),
        title=display.get("title") or "",
        subtitle=display.get("subtitle"),
        authors=authors,
        subjects=_texts(display, "subjects"),
        publisher=display.get("publisher"),
        year=display.get("year"),
        languages=_texts(display, "languages"),
        format=display.get("format") or "book",
        isbns=_texts(display, "isbns"),
        branches=branches,
        available_branches=tuple(a.branch for a in availability if a.available),
        local=local_matcher.is_local(display),
        series=_texts(display, "series"),
        title_nonfiling=display.get("title_nonfiling") or 0,
        display=shown,
    )
