"""The federation's branches as patrons and clients see them, with how many works each
holds. Read from the config and the store, free of HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from union.config import Federation
from union.store.models import BranchRow, SourceRecordRow, SourceRow, WorkMemberRow, WorkRow

__all__ = ["BranchSummary", "list_branches"]


@dataclass(frozen=True, slots=True)
class BranchSummary:
    """One branch: its code, name, kind ("city" or "village") and district as configured,
    how many live works it holds a record of, and how many live records it publishes."""

    code: str
    name: str
    kind: str
    district: str | None
    works: int
    records: int


def list_branches(session: Session, federation: Federation) -> list[BranchSummary]:
    """Every configured branch, in the order of the federation file."""
    works = dict(session.execute(
        select(BranchRow.code, func.count(func.distinct(WorkMemberRow.work_id)))
        .join(SourceRow, SourceRow.branch_id == BranchRow.id)
        .join(SourceRecordRow, SourceRecordRow.source_id == SourceRow.id)
        .join(WorkMemberRow, WorkMemberRow.source_record_id == SourceRecordRow.id)
        .join(WorkRow, WorkRow.id == WorkMemberRow.work_id)
        .where(WorkRow.status == "live")
        .group_by(BranchRow.code)
    ).all())
    records = dict(session.execute(
        select(BranchRow.code, func.count(SourceRecordRow.id))
        .join(SourceRow, SourceRow.branch_id == BranchRow.id)
        .join(SourceRecordRow, SourceRecordRow.source_id == SourceRow.id)
        .where(SourceRecordRow.deleted.is_(False))
        .group_by(BranchRow.code)
    ).all())
    return [
        BranchSummary(
            code=branch.code,
            name=branch.name,
            kind=branch.kind,
            district=branch.district,
            works=works.get(branch.code, 0),
            records=records.get(branch.code, 0),
        )
        for branch in federation.branches
    ]
