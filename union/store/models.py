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
    """The normalized form of a live source record: ``data`` is the JSON of a
    ``union.bib_record.BibRecord`` (read back with ``BibRecord.from_dict``)."""

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


# =========================================================================================
# Works: the de-duplicated union records (``union.works``), added by migration 0002.
#
# A work is a cluster of live source records judged to be one manifestation. Its id is
# an integer allocated by the clusterer (never reused): merges keep the oldest id and
# leave the others as ``merged`` tombstones pointing at the survivor; a work whose
# members are all gone is ``deleted``. The clusterer follows ``change_log`` from its
# cursor and writes its own ``entity='work'`` change-log rows for the derived views.
# =========================================================================================


class WorkRow(Base):
    """One union record. ``status`` is "live", "merged" (``merged_into`` names the
    surviving work) or "deleted"; ``datestamp`` changes whenever its output would
    (members, their descriptions or holdings); ``display`` is the merged display record
    and ``display_hash`` its digest, so unchanged output is recognized cheaply."""

    __tablename__ = "works"
    __table_args__ = (Index("ix_works_merged_into", "merged_into"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    merged_into: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    datestamp: Mapped[datetime]
    display: Mapped[dict[str, Any] | None]
    display_hash: Mapped[str | None] = mapped_column(String(64))


class WorkMemberRow(Base):
    """A live source record's work: every live, normalized record is in exactly one."""

    __tablename__ = "work_members"
    __table_args__ = (Index("ix_work_members_work_id", "work_id"),)
    source_record_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("source_records.id"), primary_key=True
    )
    work_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("works.id"))


class MatchKeyRow(Base):
    """A blocking key of a live record: records sharing a key are compared."""

    __tablename__ = "match_keys"
    __table_args__ = (Index("ix_match_keys_key", "key"),)
    source_record_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)


class MatchEvidenceRow(Base):
    """A pair of live records judged the same manifestation (``record_a < record_b``),
    with the :class:`union.dedup.Decision` and its evidence as JSON. Only matches are
    kept: they are the edges the clusterer partitions."""

    __tablename__ = "match_evidence"
    __table_args__ = (Index("ix_match_evidence_record_b", "record_b"),)
    record_a: Mapped[int] = mapped_column(BigId, primary_key=True)
    record_b: Mapped[int] = mapped_column(BigId, primary_key=True)
    score: Mapped[float]
    decision: Mapped[dict[str, Any]]
    decided_at: Mapped[datetime]


class OverrideRow(Base):
    """A staff decision about two records: ``kind`` "same" (one work) or "never" (never
    one work). Records are named by (branch code, local identifier), ordered so that
    (code_a, local_a) < (code_b, local_b), so the decision outlives every re-harvest."""

    __tablename__ = "overrides"
    __table_args__ = (UniqueConstraint("code_a", "local_a", "code_b", "local_b"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    code_a: Mapped[str] = mapped_column(String(32))
    local_a: Mapped[str] = mapped_column(String(512))
    code_b: Mapped[str] = mapped_column(String(32))
    local_b: Mapped[str] = mapped_column(String(512))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class ClusterCursorRow(Base):
    """How far a follower of the change log has got: ``seq`` is the last change it
    processed. The clusterer's row is named "works"."""

    __tablename__ = "cluster_cursor"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
