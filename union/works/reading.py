"""Reading works: resolving an id (a merged-away id answers with its survivor), listing
the live works with their members."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.store.models import BranchRow, SourceRecordRow, SourceRow, WorkMemberRow, WorkRow

__all__ = ["Resolved", "live_works", "resolve_work", "work_members"]


@dataclass(frozen=True, slots=True)
class Resolved:
    """The work an id answers with: ``work`` is the live (or deleted) work reached;
    ``asked`` the id asked for; ``path`` the merged ids followed on the way."""

    asked: int
    work: WorkRow
    path: tuple[int, ...] = ()

    @property
    def redirected(self) -> bool:
        """Whether the id asked for was merged into another work."""
        return bool(self.path)


def resolve_work(session: Session, work_id: int) -> Resolved | None:
    """The work ``work_id`` answers with, following merges; None for an unknown id."""
    row = session.get(WorkRow, work_id)
    path: list[int] = []
    while row is not None and row.status == "merged" and row.merged_into is not None:
        if row.id in path or len(path) > 64:
            break  # a cycle would be a bug; never loop forever on it
        path.append(row.id)
        row = session.get(WorkRow, row.merged_into)
    if row is None:
        return None
    return Resolved(work_id, row, tuple(path))


def work_members(session: Session, work_id: int) -> list[tuple[int, str, str]]:
    """(record id, branch code, local id) of every member, by branch code and local id."""
    rows = session.execute(
        select(SourceRecordRow.id, BranchRow.code, SourceRecordRow.local_id)
        .join(WorkMemberRow, WorkMemberRow.source_record_id == SourceRecordRow.id)
        .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
        .join(BranchRow, BranchRow.id == SourceRow.branch_id)
        .where(WorkMemberRow.work_id == work_id)
        .order_by(BranchRow.code, SourceRecordRow.local_id)
    )
    return [(rid, code, local) for rid, code, local in rows]


def live_works(session: Session, batch: int = 5000) -> Iterator[tuple[int, list[list[str]]]]:
    """Every live work in id order with its members as [branch code, local id] pairs."""
    query = (
        select(WorkMemberRow.work_id, BranchRow.code, SourceRecordRow.local_id)
        .join(SourceRecordRow, SourceRecordRow.id == WorkMemberRow.source_record_id)
        .join(SourceRow, SourceRow.id == SourceRecordRow.source_id)
        .join(BranchRow, BranchRow.id == SourceRow.branch_id)
        .order_by(WorkMemberRow.work_id, BranchRow.code, SourceRecordRow.local_id)
        .execution_options(yield_per=batch)
    )
    current: int | None = None
    members: list[list[str]] = []
    for work_id, code, local_id in session.execute(query):
        if work_id != current:
            if current is not None:
                yield current, members
            current, members = work_id, []
        members.append([code, local_id])
    if current is not None:
        yield current, members
