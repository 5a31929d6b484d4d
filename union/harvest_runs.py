"""Registering branches and sources, and opening, resuming and closing harvest runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from union.config import Branch, Federation, MarcFileSource, OaiSource
from union.ingest import RunContext
from union.store.models import BranchRow, CheckpointRow, HarvestRunRow, SourceRow


@dataclass(frozen=True, slots=True)
class RunStart:
    """A harvest run ready to go: where its pages belong and where the harvester resumes."""

    context: RunContext
    checkpoint: dict[str, Any] | None
    resumed: bool


def register_federation(session: Session, federation: Federation) -> None:
    """Create or update the rows of every configured branch and its source."""
    for branch in federation.branches:
        row = session.scalar(select(BranchRow).where(BranchRow.code == branch.code))
        if row is None:
            row = BranchRow(code=branch.code, name=branch.name, kind=branch.kind,
                            district=branch.district)
            session.add(row)
            session.flush()
        else:
            row.name, row.kind, row.district = branch.name, branch.kind, branch.district
        source = session.scalar(select(SourceRow).where(SourceRow.branch_id == row.id))
        kind, location, settings = _source_settings(branch)
        if source is None:
            session.add(SourceRow(branch_id=row.id, type=kind, location=location,
                                  settings=settings))
        else:
            if (source.type, source.location) != (kind, location):
                # Another feed is another record space: forget the old position.
                source.watermark = None
                checkpoint = session.get(CheckpointRow, source.id)
                if checkpoint is not None:
                    session.delete(checkpoint)
            source.type, source.location, source.settings = kind, location, settings


def begin_run(session: Session, branch_code: str, *, full: bool, now: datetime) -> RunStart:
    """Open a run for the branch's source, resuming an interrupted one when there is one.

    An interrupted run (its process killed or its source failing) left its checkpoint
    after its last committed page; the next harvest continues that run from there, unless
    a full harvest is asked for, which starts afresh.
    """
    branch = session.scalars(select(BranchRow).where(BranchRow.code == branch_code)).one()
    source = session.scalars(select(SourceRow).where(SourceRow.branch_id == branch.id)).one()
    checkpoint = session.get(CheckpointRow, source.id)
    if checkpoint is None:
        checkpoint = CheckpointRow(source_id=source.id, committed_at=now)
        session.add(checkpoint)
    if checkpoint.run_id is not None and not full:
        run = session.get_one(HarvestRunRow, checkpoint.run_id)
        run.status, run.error = "running", None
        return RunStart(RunContext(source.id, branch.id, run.id), checkpoint.state, True)
    if checkpoint.run_id is not None:
        abandoned = session.get_one(HarvestRunRow, checkpoint.run_id)
        abandoned.status = "abandoned"
    run = HarvestRunRow(source_id=source.id, started_at=now, status="running", full=full)
    session.add(run)
    session.flush()
    checkpoint.run_id, checkpoint.state = run.id, None
    resume_from = None if full else checkpoint.complete_state
    return RunStart(RunContext(source.id, branch.id, run.id), resume_from, False)


def fail_run(session: Session, run_id: int, error: str, now: datetime) -> None:
    """Record why a run stopped; its checkpoint stays, so the next harvest resumes it."""
    run = session.get_one(HarvestRunRow, run_id)
    run.status, run.error, run.finished_at = "failed", error, now


def begin_reconciliation(session: Session, branch_code: str, now: datetime) -> RunContext:
    """Open a run for a full identifier listing (it never touches the harvest checkpoint)."""
    branch = session.scalars(select(BranchRow).where(BranchRow.code == branch_code)).one()
    source = session.scalars(select(SourceRow).where(SourceRow.branch_id == branch.id)).one()
    run = HarvestRunRow(source_id=source.id, started_at=now, status="reconciling", full=True)
    session.add(run)
    session.flush()
    return RunContext(source.id, branch.id, run.id)


def finish_reconciliation(session: Session, ctx: RunContext, deleted: int,
                          now: datetime) -> None:
    """Close a reconciliation run with the number of records it found vanished."""
    run = session.get_one(HarvestRunRow, ctx.run_id)
    run.status, run.deleted, run.finished_at = "complete", deleted, now
    session.get_one(SourceRow, ctx.source_id).last_reconciled_at = now


def last_reconciled(session: Session, branch_code: str) -> datetime | None:
    """When the branch's source was last checked against a full listing."""
    return session.scalar(
        select(SourceRow.last_reconciled_at)
        .join(BranchRow, BranchRow.id == SourceRow.branch_id)
        .where(BranchRow.code == branch_code)
    )


def _source_settings(branch: Branch) -> tuple[str, str, dict[str, Any]]:
    source = branch.source
    if isinstance(source, OaiSource):
        return source.type, source.url, {"metadata_prefix": source.metadata_prefix,
                                         "set": source.set_spec, "profile": source.profile}
    assert isinstance(source, MarcFileSource)
    return source.type, source.location, {"format": source.format}
