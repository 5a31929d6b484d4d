"""Committing harvested pages: source records, their bib records and items, skip reports,
the change log and the source's checkpoint, all in one transaction per page.

Because the checkpoint is written with the page, a harvest killed at any moment resumes
after the last committed page: nothing lost, nothing doubled. Ingesting a record whose
content hash is unchanged changes nothing but its last-seen mark.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from harvesters.records import HarvestedRecord, Page, SkippedRecord
from union.bib_record import BibRecord, Item
from union.normalize import NormalizationError, bib_from_marc, bib_from_payload
from union.store.bulk_writes import chunks
from union.store.models import (
    Base,
    BibRecordRow,
    ChangeRow,
    CheckpointRow,
    HarvestRunRow,
    ItemRow,
    SkippedRecordRow,
    SourceRecordRow,
    SourceRow,
)

DELETED_HASH = "deleted"


def _table(model: type[Base]) -> Table:
    """A model's Core table, for multi-row inserts (SQLAlchemy types ``__table__`` as a
    FromClause, which ``insert()`` does not take; a mapped class's is a Table)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(frozen=True, slots=True)
class RunContext:
    """The source being harvested and the harvest run the pages belong to."""

    source_id: int
    branch_id: int
    run_id: int


@dataclass(slots=True)
class Counts:
    """What a page (or a whole run) did to the store."""

    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        """Accumulate another page's counts."""
        self.new += other.new
        self.updated += other.updated
        self.deleted += other.deleted
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.reasons.extend(other.reasons)


@dataclass(frozen=True, slots=True)
class StoredBib:
    """A bib record in the form the store takes it: its JSON, title, year and items.

    The JSON is written by the process that normalized the record, so the writer (the
    busier process) neither unpickles the record's dataclasses nor serializes them.
    """

    json: bytes
    title: str
    year: int | None
    items: tuple[Item, ...]

    @classmethod
    def of(cls, bib: BibRecord) -> StoredBib:
        """The stored form of ``bib`` (its JSON is what the store's serializer writes)."""
        return cls(orjson.dumps(bib), bib.title, bib.year, bib.items)

    def __reduce__(self) -> tuple[type[StoredBib], tuple[Any, ...]]:
        return StoredBib, (self.json, self.title, self.year, self.items)


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """A harvested record with its hash and normalized form, ready to write.

    Everything the store needs is here; pickled (from a harvest worker process to the
    writer) it is a plain tuple, and the record's parsed MARC stays behind.
    """

    record: HarvestedRecord
    content_hash: str
    bib: StoredBib | None
    problem: str | None

    def __reduce__(self) -> tuple[type[PreparedRecord], tuple[Any, ...]]:
        return PreparedRecord, (self.record, self.content_hash, self.bib, self.problem)


@dataclass(frozen=True, slots=True)
class PreparedPage:
    """A harvested page whose records are hashed and normalized (see :func:`prepare_page`)."""

    page: Page
    records: tuple[PreparedRecord, ...]


def content_hash(record: HarvestedRecord) -> str:
    """The hash that tells whether a record changed since it was last ingested."""
    if record.deleted:
        return DELETED_HASH
    return hashlib.sha256(record.payload).hexdigest()


def normalize(record: HarvestedRecord) -> BibRecord:
    """The bib record of a live harvested record, using its parsed MARC when it has one."""
    if record.marc is not None:
        return bib_from_marc(record.marc)
    return bib_from_payload(record.format, record.payload)


def prepare_page(page: Page) -> PreparedPage:
    """Hash and normalize a page's records (pure CPU work, no store)."""
    records = tuple(_prepare(record) for record in _last_of_each(page.records))
    stripped = Page([p.record for p in records], page.skipped, page.checkpoint,
                    page.complete, page.response_date, page.full_listing)
    return PreparedPage(stripped, records)


def commit_page(session: Session, ctx: RunContext, prepared_page: PreparedPage,
                now: datetime) -> Counts:
    """Write one prepared page and its checkpoint into ``session`` (the caller commits)."""
    counts = Counts()
    page = prepared_page.page
    existing = _existing(session, ctx.source_id, [p.record.local_id
                                                  for p in prepared_page.records])
    new: list[PreparedRecord] = []
    changed: list[tuple[int, PreparedRecord]] = []
    unchanged_ids: list[int] = []
    skipped = list(page.skipped)
    for prepared in prepared_page.records:
        record = prepared.record
        if prepared.problem is not None:
            skipped.append(SkippedRecord(f"record {record.local_id}", prepared.problem,
                                         record.local_id))
        found = existing.get(record.local_id)
        if found is None:
            new.append(prepared)
        elif found[1] == prepared.content_hash:
            unchanged_ids.append(found[0])
        else:
            changed.append((found[0], prepared))
            if record.deleted and not found[2]:
                counts.deleted += 1
            elif not record.deleted:
                counts.updated += 1
    counts.new = sum(1 for p in new if not p.record.deleted)
    counts.unchanged = len(unchanged_ids)
    counts.skipped = len(skipped)
    counts.reasons = [f"{s.position}: {s.reason}" for s in skipped]

    new_ids = _insert_new(session, ctx, new, now)
    # Read before they are replaced: a change to the items alone is logged as such.
    stored = _stored_bibs(session, [sid for sid, p in changed if p.bib is not None])
    _update_changed(session, ctx, changed, now)
    if unchanged_ids:
        session.execute(
            update(SourceRecordRow)
            .where(SourceRecordRow.id.in_(unchanged_ids))
            .values(last_seen_run=ctx.run_id)
        )
    written = list(zip(new_ids, new, strict=True)) + changed
    _write_bibs(session, ctx, written)
    _log_changes(session, [(sid, _op(p, stored.get(sid))) for sid, p in written], now)
    _report_skipped(session, ctx, skipped)
    # A record the branch still lists but that could not be read this time is not gone:
    # its stored copy stays live rather than being marked deleted by the full listing.
    mark_seen(session, ctx, [s.local_id for s in page.skipped if s.local_id])
    if page.complete and page.full_listing:
        counts.deleted += mark_unseen_deleted(session, ctx, now)
    _advance(session, ctx, page, counts, now)
    return counts


def mark_unseen_deleted(session: Session, ctx: RunContext, now: datetime) -> int:
    """Mark deleted every live record of the source not seen in this run; return how many.

    Called after a listing of every live record (a MARC file, a harvest without ``from``,
    or a full identifier listing): what it did not list has vanished from the branch.
    """
    vanished = list(
        session.scalars(
            select(SourceRecordRow.id).where(
                SourceRecordRow.source_id == ctx.source_id,
                SourceRecordRow.deleted.is_(False),
                (SourceRecordRow.last_seen_run != ctx.run_id)
                | SourceRecordRow.last_seen_run.is_(None),
            )
        )
    )
    if not vanished:
        return 0
    for chunk in chunks(vanished):
        session.execute(
            update(SourceRecordRow)
            .where(SourceRecordRow.id.in_(chunk))
            .values(deleted=True, content_hash=DELETED_HASH, updated_at=now)
        )
        _drop_bibs(session, chunk)
    _log_changes(session, [(sid, "delete") for sid in vanished], now)
    return len(vanished)


def mark_seen(session: Session, ctx: RunContext, local_ids: Sequence[str]) -> None:
    """Record that a full identifier listing still names these records."""
    for chunk in chunks(local_ids):
        session.execute(
            update(SourceRecordRow)
            .where(SourceRecordRow.source_id == ctx.source_id,
                   SourceRecordRow.local_id.in_(chunk))
            .values(last_seen_run=ctx.run_id)
        )


def _last_of_each(records: Iterable[HarvestedRecord]) -> list[HarvestedRecord]:
    # A server may list one record twice in a page; the later listing is the newer.
    by_id: dict[str, HarvestedRecord] = {}
    for record in records:
        by_id.pop(record.local_id, None)
        by_id[record.local_id] = record
    return list(by_id.values())


def _existing(session: Session, source_id: int,
              local_ids: list[str]) -> dict[str, tuple[int, str, bool]]:
    found: dict[str, tuple[int, str, bool]] = {}
    for chunk in chunks(local_ids):
        rows = session.execute(
            select(SourceRecordRow.id, SourceRecordRow.local_id, SourceRecordRow.content_hash,
                   SourceRecordRow.deleted)
            .where(SourceRecordRow.source_id == source_id, SourceRecordRow.local_id.in_(chunk))
        )
        for row_id, local_id, digest, deleted in rows:
            found[local_id] = (row_id, digest, deleted)
    return found


def _prepare(record: HarvestedRecord) -> PreparedRecord:
    digest = content_hash(record)
    if record.deleted:
        return PreparedRecord(record, digest, None, None)
    try:
        return PreparedRecord(record, digest, StoredBib.of(normalize(record)), None)
    except NormalizationError as exc:
        return PreparedRecord(record, digest, None, f"not normalized: {exc}")


def _row_values(ctx: RunContext, prepared: PreparedRecord, now: datetime) -> dict[str, Any]:
    record = prepared.record
    return {
        "datestamp": record.datestamp,
        "deleted": record.deleted,
        "format": record.format,
        "payload": record.payload,
        "content_hash": prepared.content_hash,
        "updated_at": now,
        "last_seen_run": ctx.run_id,
        "problem": prepared.problem,
    }


def _insert_new(session: Session, ctx: RunContext, new: list[PreparedRecord],
                now: datetime) -> list[int]:
    if not new:
        return []
    rows = [
        {"source_id": ctx.source_id, "local_id": p.record.local_id, "first_seen": now,
         **_row_values(ctx, p, now)}
        for p in new
    ]
    # Core inserts with RETURNING run in a few multi-row statements; asking the ORM for
    # rows in parameter order falls back to one statement per row on SQLite.
    table = _table(SourceRecordRow)
    ids = dict(
        (local_id, row_id)
        for row_id, local_id in session.execute(
            insert(table).returning(table.c.id, table.c.local_id), rows
        )
    )
    return [ids[p.record.local_id] for p in new]


def _update_changed(session: Session, ctx: RunContext, changed: list[tuple[int, PreparedRecord]],
                    now: datetime) -> None:
    if not changed:
        return
    session.execute(
        update(SourceRecordRow),
        [{"id": sid, **_row_values(ctx, p, now)} for sid, p in changed],
    )
    _drop_bibs(session, [sid for sid, _ in changed])


def _drop_bibs(session: Session, source_record_ids: list[int]) -> None:
    session.execute(delete(ItemRow).where(ItemRow.source_record_id.in_(source_record_ids)))
    session.execute(
        delete(BibRecordRow).where(BibRecordRow.source_record_id.in_(source_record_ids))
    )


def _write_bibs(session: Session, ctx: RunContext,
                written: list[tuple[int, PreparedRecord]]) -> None:
    bibs = [(sid, p.bib) for sid, p in written if p.bib is not None]
    if not bibs:
        return
    # A fragment is copied into the statement as the JSON it already is.
    session.execute(
        insert(_table(BibRecordRow)),
        [{"source_record_id": sid, "title": bib.title, "year": bib.year,
          "data": orjson.Fragment(bib.json)} for sid, bib in bibs],
    )
    items = [
        {"source_record_id": sid, "branch_id": ctx.branch_id, "barcode": item.barcode,
         "call_number": item.call_number, "location": item.location, "status": item.status,
         "collection": item.collection, "holding_label": item.branch}
        for sid, bib in bibs
        for item in bib.items
    ]
    if items:
        session.execute(insert(_table(ItemRow)), items)


def change_op(deleted: bool, stored: BibRecord | None, incoming: BibRecord | None) -> str:
    """The change log's op for a source record written again: "delete"; "holdings" when
    its description is the ``stored`` one but for its items (a copy added, lent or
    withdrawn), so that matching has nothing new to look at; "upsert" otherwise."""
    if deleted:
        return "delete"
    if stored is not None and incoming is not None \
            and stored.without_items() == incoming.without_items():
        return "holdings"
    return "upsert"


def _op(prepared: PreparedRecord, stored: BibRecord | None) -> str:
    incoming = BibRecord.from_json(prepared.bib.json) if prepared.bib and stored else None
    return change_op(prepared.record.deleted, stored, incoming)


def _stored_bibs(session: Session, ids: list[int]) -> dict[int, BibRecord]:
    found: dict[int, BibRecord] = {}
    for chunk in chunks(ids):
        rows = session.execute(select(BibRecordRow.source_record_id, BibRecordRow.data)
                               .where(BibRecordRow.source_record_id.in_(chunk)))
        found.update((sid, BibRecord.from_dict(data)) for sid, data in rows)
    return found


def _log_changes(session: Session, changes: list[tuple[int, str]], now: datetime) -> None:
    """Log source record changes: "upsert" (new or described anew), "holdings" (only its
    items changed) or "delete"."""
    if changes:
        session.execute(
            insert(_table(ChangeRow)),
            [{"entity": "source_record", "entity_id": sid, "op": op, "at": now}
             for sid, op in changes],
        )


def _report_skipped(session: Session, ctx: RunContext, skipped: list[SkippedRecord]) -> None:
    if skipped:
        session.execute(
            insert(_table(SkippedRecordRow)),
            [{"run_id": ctx.run_id, "source_id": ctx.source_id, "position": s.position,
              "local_id": s.local_id, "reason": s.reason} for s in skipped],
        )


def _advance(session: Session, ctx: RunContext, page: Page, counts: Counts,
             now: datetime) -> None:
    run = session.get_one(HarvestRunRow, ctx.run_id)
    run.new += counts.new
    run.updated += counts.updated
    run.deleted += counts.deleted
    run.unchanged += counts.unchanged
    run.skipped += counts.skipped
    run.pages += 1
    checkpoint = session.get_one(CheckpointRow, ctx.source_id)
    checkpoint.committed_at = now
    if not page.complete:
        checkpoint.run_id = ctx.run_id
        checkpoint.state = page.checkpoint
        return
    checkpoint.run_id = None
    checkpoint.state = None
    checkpoint.complete_state = page.checkpoint
    run.status = "complete"
    run.finished_at = now
    source = session.get_one(SourceRow, ctx.source_id)
    if page.response_date is not None:
        source.watermark = page.response_date
    if page.full_listing:
        source.last_reconciled_at = now

