"""A work's detail view: the merged record, its members, its copies and where they are on
the shelf, and why its records were merged. Read from the store, free of HTTP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from union.availability import Custody, branch_availability
from union.catalogue.errors import BadParameter
from union.config import Federation
from union.search.bulk import CustodyReader
from union.works.explain import explain_work
from union.works.reading import resolve_work

__all__ = [
    "MAX_WORK_ID",
    "BranchHoldings",
    "EvidenceSummary",
    "MatchSummary",
    "WorkDetail",
    "parse_work_id",
    "work_detail",
]

#: Work ids are 64-bit integers in the store.
MAX_WORK_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class BranchHoldings:
    """One holding branch's copies of a work: the branch as configured (name, kind and
    district are None for a branch no longer in the federation file), its local record
    ids, its items as harvested, and how many copies are on the shelf now."""

    code: str
    name: str | None
    kind: str | None
    district: str | None
    local_ids: tuple[str, ...]
    items: tuple[Mapping[str, Any], ...]
    available: int
    copies: int


@dataclass(frozen=True, slots=True)
class MatchSummary:
    """Two member records judged the same, with the score, the one-line reason and the
    names of the signals that spoke for the match (``union.works.explain.SIGNAL_LABELS``)."""

    a: str
    b: str
    score: float
    reason: str
    agreeing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceSummary:
    """Why the work holds its records (see :mod:`union.works.explain`): the matches
    between members, the staff overrides touching them (kind, a, b), and how many
    matches to records outside the work were held apart."""

    matches: tuple[MatchSummary, ...]
    overrides: tuple[tuple[str, str, str], ...]
    held_apart: int


@dataclass(frozen=True, slots=True)
class WorkDetail:
    """What a patron or client sees of one work.

    ``id`` is the work answered with; ``requested_id`` the id asked for and
    ``merged_from`` the merged-away ids followed to reach it (empty when the id asked for
    is the work itself). ``status`` is "live" or "deleted" (a deleted work has no record,
    members nor holdings). ``record`` is the merged display record
    (:func:`union.works.display.display_record`); ``members`` are [branch code, local
    id] pairs. ``datestamp`` is when the work's output last changed (MARC 005).
    """

    id: int
    requested_id: int
    merged_from: tuple[int, ...]
    status: str
    record: Mapping[str, Any] | None
    members: tuple[tuple[str, str], ...]
    holdings: tuple[BranchHoldings, ...]
    evidence: EvidenceSummary | None
    datestamp: datetime

    @property
    def redirected(self) -> bool:
        """Whether the id asked for was merged into this work."""
        return bool(self.merged_from)


def parse_work_id(text: str) -> int:
    """A work id from a path or form; :class:`BadParameter` when it is not one."""
    value = text.strip()
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_WORK_ID:
        raise BadParameter("id", f"nomor karya harus bilangan bulat positif, bukan {text!r}",
                           f"a work id is a positive whole number, not {text!r}")
    return int(value)


def _holdings(display: Mapping[str, Any], federation: Federation,
              custody: Custody | None) -> tuple[BranchHoldings, ...]:
    configured = {branch.code: branch for branch in federation.branches}
    counts = {entry.branch: entry for entry in branch_availability(display, custody)}
    local_ids: dict[str, list[str]] = {}
    items: dict[str, list[Mapping[str, Any]]] = {}
    for holding in display.get("holdings") or ():
        local_ids.setdefault(holding["branch"], []).append(holding["local_id"])
        items.setdefault(holding["branch"], []).extend(holding.get("items") or ())
    shown = []
    for code, ids in local_ids.items():
        branch = configured.get(code)
        count = counts[code]
        shown.append(BranchHoldings(
            code=code,
            name=branch.name if branch else None,
            kind=branch.kind if branch else None,
            district=branch.district if branch else None,
            local_ids=tuple(ids),
            items=tuple(items[code]),
            available=count.available,
            copies=count.total,
        ))
    return tuple(shown)


def _evidence(session: Session, work_id: int) -> EvidenceSummary | None:
    explanation = explain_work(session, work_id)
    if explanation is None:
        return None
    return EvidenceSummary(
        matches=tuple(MatchSummary(a, b, decision.score, decision.reason,
                                   tuple(s.name for s in decision.evidence.signals
                                         if s.score > 0))
                      for a, b, decision in explanation.matches),
        overrides=tuple(explanation.overrides),
        held_apart=len(explanation.held_apart),
    )


def work_detail(session: Session, federation: Federation, work_id: int,
                custody: CustodyReader | None = None) -> WorkDetail | None:
    """The detail view of work ``work_id`` (a merged-away id answers with its survivor);
    None for an id that never was a work. ``custody`` reads the sync custody overlay
    (see :mod:`union.availability`)."""
    resolved = resolve_work(session, work_id)
    if resolved is None:
        return None
    work = resolved.work
    display = work.display if work.status == "live" else None
    members: Sequence[Sequence[str]] = (display or {}).get("members") or ()
    return WorkDetail(
        id=work.id,
        requested_id=work_id,
        merged_from=resolved.path,
        status=work.status,
        record=display,
        members=tuple((code, local) for code, local in members),
        holdings=(_holdings(display, federation,
                            custody(session, [display]) if custody else None)
                  if display else ()),
        evidence=_evidence(session, work.id) if display else None,
        datestamp=work.datestamp,
    )
