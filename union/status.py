"""Where every branch's harvest stands, as staff and monitoring read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from union.store.models import BranchRow, HarvestRunRow, SourceRecordRow, SourceRow


def federation_status(session: Session) -> dict[str, dict[str, Any]]:
    """One entry per branch code: record counts, the last run, watermark and last error."""
    counts: dict[tuple[int, bool], int] = {
        (source_id, deleted): n
        for source_id, deleted, n in session.execute(
            select(SourceRecordRow.source_id, SourceRecordRow.deleted, func.count())
            .group_by(SourceRecordRow.source_id, SourceRecordRow.deleted)
        )
    }
    status: dict[str, dict[str, Any]] = {}
    rows = session.execute(
        select(BranchRow, SourceRow)
        .join(SourceRow, SourceRow.branch_id == BranchRow.id)
        .order_by(BranchRow.code)
    )
    for branch, source in rows:
        last = session.scalars(
            select(HarvestRunRow)
            .where(HarvestRunRow.source_id == source.id)
            .order_by(HarvestRunRow.id.desc())
            .limit(1)
        ).first()
        status[branch.code] = {
            "name": branch.name,
            "kind": branch.kind,
            "source": {"type": source.type, "location": source.location},
            "live": counts.get((source.id, False), 0),
            "deleted": counts.get((source.id, True), 0),
            "last_run": _run(last) if last else None,
            "watermark": source.watermark.isoformat() if source.watermark else None,
            "last_reconciled": (source.last_reconciled_at.isoformat()
                                if source.last_reconciled_at else None),
            "last_error": last.error if last else None,
        }
    return status


def _run(run: HarvestRunRow) -> dict[str, Any]:
    return {
        "id": run.id,
        "status": run.status,
        "full": run.full,
        "started": run.started_at.isoformat(),
        "finished": run.finished_at.isoformat() if run.finished_at else None,
        "new": run.new,
        "updated": run.updated,
        "deleted": run.deleted,
        "unchanged": run.unchanged,
        "skipped": run.skipped,
        "pages": run.pages,
    }
