"""Why a work holds the records it holds: every match with its evidence, the staff
overrides, and the matches that were held apart, for staff to read (Indonesian and
English labels) or as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.dedup.evidence import Decision, Signal
from union.store.models import BibRecordRow, BranchRow, SourceRecordRow, SourceRow
from union.works import store_ops as ops
from union.works.overrides import RecordName, list_overrides
from union.works.reading import resolve_work, work_members

__all__ = ["Explanation", "explain_work", "format_explanation"]

#: Bilingual labels of the pairwise signals (Indonesian / English).
SIGNAL_LABELS = {
    "identical": "Rekaman identik / identical records",
    "isbn": "ISBN",
    "issn": "ISSN",
    "lccn": "LCCN",
    "oclc": "Nomor OCLC / OCLC number",
    "national_number": "Nomor bibliografi nasional / national bibliography number",
    "title": "Judul / title",
    "volume": "Jilid / volume",
    "edition": "Edisi / edition",
    "year": "Tahun terbit / year",
    "authors": "Pengarang / authors",
    "bodies": "Badan korporasi / corporate bodies",
    "publisher": "Penerbit / publisher",
    "extent": "Jumlah halaman / extent",
    "format": "Bentuk / format",
    "series": "Seri / series",
    "language": "Bahasa / language",
    "translation": "Terjemahan / translation",
}
_KIND_LABELS = {
    "same": "staf: satu karya / staff: one work",
    "never": "staf: jangan pernah digabung / staff: never merge",
}


@dataclass(slots=True)
class Explanation:
    """The evidence behind one work (see :func:`explain_work`)."""

    asked: int
    work_id: int
    status: str
    redirected_from: tuple[int, ...]
    members: list[tuple[str, str, str]] = field(default_factory=list)
    matches: list[tuple[str, str, Decision]] = field(default_factory=list)
    overrides: list[tuple[str, str, str]] = field(default_factory=list)
    held_apart: list[tuple[str, str, int | None, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "asked": self.asked,
            "work": self.work_id,
            "status": self.status,
            "redirected_from": list(self.redirected_from),
            "members": [{"record": m, "title": t, "branch": b} for m, b, t in self.members],
            "matches": [{"a": a, "b": b, "decision": d.to_dict()} for a, b, d in self.matches],
            "overrides": [{"kind": k, "a": a, "b": b} for k, a, b in self.overrides],
            "held_apart": [{"member": m, "other": o, "other_work": w, "reason": r}
                           for m, o, w, r in self.held_apart],
        }


def explain_work(session: Session, work_id: int) -> Explanation | None:
    """The evidence behind work ``work_id`` (a merged-away id explains its survivor);
    None for an unknown id."""
    resolved = resolve_work(session, work_id)
    if resolved is None:
        return None
    work = resolved.work
    explanation = Explanation(work_id, work.id, work.status, resolved.path)
    members = work_members(session, work.id)
    names = {rid: f"{code}:{local}" for rid, code, local in members}
    titles = dict(session.execute(
        select(BibRecordRow.source_record_id, BibRecordRow.title)
        .where(BibRecordRow.source_record_id.in_(list(names)))
    ).all())
    explanation.members = [(names[rid], code, titles.get(rid, "")) for rid, code, _ in members]
    for (a, b), decision in sorted(ops.evidence_between(session, names).items()):
        explanation.matches.append((names[a], names[b], decision))
    member_names = {RecordName(code, local) for _, code, local in members}
    never = set()
    for kind, first, second in list_overrides(session):
        if first in member_names or second in member_names:
            explanation.overrides.append((kind, str(first), str(second)))
            if kind == "never":
                never.add((str(first), str(second)))
    explanation.held_apart = _held_apart(session, names, never)
    return explanation


def _held_apart(session: Session, names: dict[int, str],
                never: set[tuple[str, str]]) -> list[tuple[str, str, int | None, str]]:
    """Matches from a member to a record in another work, with the rule that kept them
    apart."""
    outside = [e for e in ops.edges_touching(session, names)
               if not (e.a in names and e.b in names)]
    if not outside:
        return []
    others = {e.b if e.a in names else e.a for e in outside}
    works = ops.memberships(session, others)
    other_names = _names(session, others)
    sources = dict(session.execute(
        select(SourceRecordRow.id, SourceRecordRow.source_id)
        .where(SourceRecordRow.id.in_([*names, *others]))
    ).all())
    held = []
    for edge in sorted(outside, key=lambda e: e.ends):
        member, other = (edge.a, edge.b) if edge.a in names else (edge.b, edge.a)
        a, b = names[member], other_names.get(other, str(other))
        if (a, b) in never or (b, a) in never:
            reason = _KIND_LABELS["never"]
        elif sources.get(member) == sources.get(other):
            reason = "satu rekaman per sumber / one record per source"
        else:
            reason = ("dicegah oleh rekaman lain / kept apart by another record: conflicting "
                      "evidence, a never-merge, one record per source, or an ambiguous match")
        held.append((a, b, works.get(other), reason))
    return held


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.execute(
        select(SourceRecordRow.id, BranchRow.code, SourceRecordRow.local_id)
        .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
        .join(BranchRow, BranchRow.id == SourceRow.branch_id)
        .where(SourceRecordRow.id.in_(sorted(ids)))
    )
    return {rid: f"{code}:{local}" for rid, code, local in rows}


def _signal_line(signal: Signal) -> str:
    label = SIGNAL_LABELS.get(signal.name, signal.name)
    verdict = "MENCEGAH / BLOCKS" if signal.blocks else f"{signal.score:+g}"
    values = f"{signal.a or '-'}  |  {signal.b or '-'}"
    return f"      {label}: {signal.note} [{verdict}]\n        {values}"


def format_explanation(explanation: Explanation) -> str:
    """The explanation as text for staff, with Indonesian / English labels."""
    lines = []
    if explanation.redirected_from:
        path = " -> ".join(str(i) for i in explanation.redirected_from)
        lines.append(f"Karya {explanation.asked} telah digabung / work {explanation.asked} "
                     f"was merged: {path} -> {explanation.work_id}")
    lines.append(f"Karya / work {explanation.work_id} ({explanation.status})")
    lines.append(f"  Anggota / members ({len(explanation.members)}):")
    for name, _branch, title in explanation.members:
        lines.append(f"    {name}  {title}")
    if not explanation.matches and len(explanation.members) <= 1:
        lines.append("  Satu rekaman, tidak ada penggabungan / one record, nothing merged")
    for a, b, decision in explanation.matches:
        lines.append(f"  Cocok / match {a} = {b}: {decision.reason}")
        lines.extend(_signal_line(s) for s in decision.evidence.signals)
    for kind, a, b in explanation.overrides:
        lines.append(f"  Keputusan staf / staff override: {a} ~ {b}: {_KIND_LABELS[kind]}")
    for member, other, work, reason in explanation.held_apart:
        where = f" (karya / work {work})" if work is not None else ""
        lines.append(f"  Dipisahkan / held apart: {member} ~ {other}{where}: {reason}")
    return "\n".join(lines)
