"""The schema: branches, sources, source records, bib records, items, harvest runs,
checkpoints, skipped-record reports and the change log that derived views follow.

Changes to it go through an alembic migration in ``union/migrations/versions``; a test
checks that the migrations and these models agree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from union.store.types import UTCDateTime

# Named constraints so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class BranchRow(Base):
    """A member library, as configured."""

    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(200))


class SourceRow(Base):
    """A branch's harvest source. ``watermark`` is where the next incremental harvest
    starts (the previous complete harvest's responseDate for OAI-PMH)."""

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), unique=True)
    type: Mapped[str] = mapped_column(String(16))
    location: Mapped[str] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    watermark: Mapped[datetime | None]
    last_reconciled_at: Mapped[datetime | None]


class HarvestRunRow(Base):
    """One harvest of one source: running, complete or failed, with its counts."""

    __tablename__ = "harvest_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    skipped: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)


class CheckpointRow(Base):
    """Where a source's harvest stands. ``state`` is the harvester's checkpoint after the
    last committed page of ``run_id`` (None when no run is in progress); ``complete_state``
    is the final checkpoint of the last complete harvest, which incremental harvests
    start from."""

    __tablename__ = "checkpoints"
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("harvest_runs.id"))
    state: Mapped[dict[str, Any] | None]
    complete_state: Mapped[dict[str, Any] | None]
    committed_at: Mapped[datetime]


class SourceRecordRow(Base):
    """One record as one branch publishes it, keyed by (source, local identifier)."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("source_id", "local_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    local_id: Mapped[str] = mapped_column(String(512))
    datestamp: Mapped[datetime | None]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    format: Mapped[str] = mapped_column(String(16))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen: Mapped[datetime]
    updated_at: Mapped[datetime]
    last_seen_run: Mapped[int | None] = mapped_column(Integer)
    problem: Mapped[str | None] = mapped_column(Text)


class BibRecordRow(Base):
    """The normalized form of a live source record (``union.bib_record.BibRecord``)."""

    __tablename__ = "bib_records"
    source_record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("source_records.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None]
    data: Mapped[dict[str, Any]]


class ItemRow(Base):
    """One physical copy, owned by exactly one branch."""

    __tablename__ = "items"
    __table_args__ = (Index("ix_items_source_record_id", "source_record_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("source_records.id", ondelete="CASCADE")
    )
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    barcode: Mapped[str | None] = mapped_column(String(64))
    call_number: Mapped[str | None] = mapped_column(String(128))
    location: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str | None] = mapped_column(String(32))
    collection: Mapped[str | None] = mapped_column(String(128))
    holding_label: Mapped[str | None] = mapped_column(String(128))


class SkippedRecordRow(Base):
    """A record a harvest could not take, with where it was and why."""

    __tablename__ = "skipped_records"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("harvest_runs.id"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    position: Mapped[str] = mapped_column(Text)
    local_id: Mapped[str | None] = mapped_column(String(512))
    reason: Mapped[str] = mapped_column(Text)


class ChangeRow(Base):
    """The change log: every change to a source record, in commit order. The search index
    and the OAI-PMH feed follow it by ``seq``."""

    __tablename__ = "change_log"
    seq: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(BigInteger)
    op: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
