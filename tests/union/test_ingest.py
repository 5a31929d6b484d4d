"""Committing harvested pages into the store: idempotent, checkpointed, nothing dropped.

Runs on a real SQLite file and a real PostgreSQL, with real records from the demo
catalogues (Library of Congress records of Indonesian books).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pymarc
import pytest
from sqlalchemy import func, select

from harvesters.records import ISO2709, HarvestedRecord, Page, SkippedRecord
from tests.support.paths import REPO
from union.config import load_federation
from union.harvest_runs import begin_run, register_federation
from union.ingest import Counts, RunContext, commit_page, prepare_page
from union.store.engine import Store
from union.store.models import (
    BibRecordRow,
    ChangeRow,
    CheckpointRow,
    HarvestRunRow,
    ItemRow,
    SkippedRecordRow,
    SourceRecordRow,
    SourceRow,
)

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def village_records(count: int) -> list[HarvestedRecord]:
    """Real records of the demo's Air Kuti village library, as its harvester yields them."""
    path = REPO / "config" / "catalogues" / "desa-air-kuti.mrc"
    records = []
    with path.open("rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
            records.append(HarvestedRecord(local_id=record["001"].data, format=ISO2709,
                                           payload=record.as_marc(), marc=record))
            if len(records) == count:
                break
    return records


@pytest.fixture
def run(store: Store) -> RunContext:
    with store.write() as session:
        register_federation(session, load_federation(REPO / "config" / "demo.toml", {}))
        return begin_run(session, "DESA2", full=False, now=NOW).context


def commit(store: Store, run: RunContext, page: Page, now: datetime = NOW) -> Counts:
    with store.write() as session:
        return commit_page(session, run, prepare_page(page), now)


def count(store: Store, *criteria: Any, model: type[Any] = SourceRecordRow) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*criteria)) or 0


def page_of(records: list[HarvestedRecord], *, complete: bool = False,
            full_listing: bool = False, position: int = 0,
            skipped: list[SkippedRecord] | None = None) -> Page:
    return Page(records=records, skipped=skipped or [], checkpoint={"position": position},
                complete=complete, full_listing=full_listing,
                response_date=NOW if complete else None)


def test_new_records_are_stored_with_bib_records_and_items(store: Store,
                                                           run: RunContext) -> None:
    counts = commit(store, run, page_of(village_records(10)))
    assert counts.new == 10
    assert count(store) == 10
    assert count(store, model=BibRecordRow) == 10
    assert count(store, ItemRow.branch_id == run.branch_id, model=ItemRow) == 10


def test_bib_record_keeps_the_normalized_title(store: Store, run: RunContext) -> None:
    record = village_records(1)[0]
    commit(store, run, page_of([record]))
    with store.read() as session:
        title = session.scalar(select(BibRecordRow.title))
    assert title.startswith("Analysis of natural resource impacts")


def test_ingesting_the_same_page_twice_changes_nothing(store: Store, run: RunContext) -> None:
    records = village_records(10)
    commit(store, run, page_of(records))
    changes_before = count(store, model=ChangeRow)
    counts = commit(store, run, page_of(records), LATER)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 10)
    assert count(store) == 10
    assert count(store, model=ChangeRow) == changes_before


def test_changed_record_is_updated_and_logged(store: Store, run: RunContext) -> None:
    original = village_records(1)[0]
    commit(store, run, page_of([original]))
    edited = original.marc
    assert edited is not None
    edited["245"]["a"] = "Judul yang diperbaiki :"
    changed = HarvestedRecord(original.local_id, ISO2709, edited.as_marc(), marc=edited)
    counts = commit(store, run, page_of([changed]), LATER)
    assert counts.updated == 1
    with store.read() as session:
        assert session.scalar(select(BibRecordRow.title)) == "Judul yang diperbaiki"
        assert session.scalars(select(ChangeRow.op).order_by(ChangeRow.seq)).all() == [
            "upsert", "upsert"]


def test_a_record_changed_only_in_its_copies_is_logged_as_a_holdings_change(
        store: Store, run: RunContext) -> None:
    original = village_records(1)[0]
    commit(store, run, page_of([original]))
    edited = original.marc
    assert edited is not None
    second_copy = pymarc.Field(tag="852", indicators=[" ", " "], subfields=[
        pymarc.Subfield("a", "DESA2"), pymarc.Subfield("p", "B-0002")])
    edited.add_ordered_field(second_copy)
    changed = HarvestedRecord(original.local_id, ISO2709, edited.as_marc(), marc=edited)
    counts = commit(store, run, page_of([changed]), LATER)
    assert counts.updated == 1
    assert count(store, model=ItemRow) == 2
    with store.read() as session:
        assert session.scalars(select(ChangeRow.op).order_by(ChangeRow.seq)).all() == [
            "upsert", "holdings"]


def test_a_deleted_record_is_logged_as_a_deletion(store: Store, run: RunContext) -> None:
    record = village_records(1)[0]
    commit(store, run, page_of([record]))
    commit(store, run, page_of([HarvestedRecord(record.local_id, ISO2709, b"", deleted=True)]),
           LATER)
    with store.read() as session:
        assert session.scalars(select(ChangeRow.op).order_by(ChangeRow.seq)).all() == [
            "upsert", "delete"]


def test_deleted_record_loses_its_bib_record_and_items(store: Store, run: RunContext) -> None:
    records = village_records(3)
    commit(store, run, page_of(records))
    gone = HarvestedRecord(records[0].local_id, ISO2709, b"", deleted=True)
    counts = commit(store, run, page_of([gone]), LATER)
    assert counts.deleted == 1
    assert count(store, SourceRecordRow.deleted.is_(True)) == 1
    assert count(store, model=BibRecordRow) == 2
    assert count(store, model=ItemRow) == 2


def test_complete_full_listing_marks_unseen_records_deleted(store: Store,
                                                            run: RunContext) -> None:
    records = village_records(5)
    commit(store, run, page_of(records))
    with store.write() as session:
        second = begin_run(session, "DESA2", full=True, now=LATER).context
    counts = commit(store, second, page_of(records[:3], complete=True, full_listing=True),
                    LATER)
    assert counts.deleted == 2
    with store.read() as session:
        gone = session.scalars(
            select(SourceRecordRow.local_id).where(SourceRecordRow.deleted.is_(True))
        ).all()
    assert sorted(gone) == sorted(r.local_id for r in records[3:])


def test_page_checkpoint_is_committed_with_the_page(store: Store, run: RunContext) -> None:
    commit(store, run, page_of(village_records(2), position=2))
    with store.read() as session:
        checkpoint = session.get_one(CheckpointRow, run.source_id)
    assert (checkpoint.run_id, checkpoint.state) == (run.run_id, {"position": 2})


def test_complete_page_closes_the_run_and_sets_the_watermark(store: Store,
                                                             run: RunContext) -> None:
    commit(store, run, page_of(village_records(2), complete=True, position=9))
    with store.read() as session:
        checkpoint = session.get_one(CheckpointRow, run.source_id)
        assert (checkpoint.run_id, checkpoint.complete_state) == (None, {"position": 9})
        assert session.get_one(HarvestRunRow, run.run_id).status == "complete"
        assert session.get_one(SourceRow, run.source_id).watermark == NOW


def test_interrupted_run_resumes_from_its_last_checkpoint(store: Store,
                                                          run: RunContext) -> None:
    commit(store, run, page_of(village_records(2), position=2))
    with store.write() as session:
        start = begin_run(session, "DESA2", full=False, now=LATER)
    assert start.resumed
    assert start.context.run_id == run.run_id
    assert start.checkpoint == {"position": 2}


def test_full_harvest_abandons_an_interrupted_run(store: Store, run: RunContext) -> None:
    commit(store, run, page_of(village_records(2), position=2))
    with store.write() as session:
        start = begin_run(session, "DESA2", full=True, now=LATER)
        assert session.get_one(HarvestRunRow, run.run_id).status == "abandoned"
    assert (start.resumed, start.checkpoint) == (False, None)


def test_skipped_records_are_reported_with_position_and_reason(store: Store,
                                                               run: RunContext) -> None:
    skip = SkippedRecord("record 7 at byte 4410", "directory entry points past the record")
    counts = commit(store, run, page_of(village_records(1), skipped=[skip]))
    assert counts.skipped == 1
    with store.read() as session:
        row = session.scalars(select(SkippedRecordRow)).one()
    assert (row.position, row.reason, row.run_id) == (skip.position, skip.reason, run.run_id)


def test_record_without_a_title_is_kept_raw_and_reported(store: Store,
                                                         run: RunContext) -> None:
    original = village_records(1)[0]
    untitled = original.marc
    assert untitled is not None
    untitled.remove_fields("245")
    record = HarvestedRecord("DESA2-untitled", ISO2709, untitled.as_marc(), marc=untitled)
    counts = commit(store, run, page_of([record]))
    assert counts.skipped == 1
    assert count(store, SourceRecordRow.problem.is_not(None)) == 1
    assert count(store, model=BibRecordRow) == 0
    assert count(store, SkippedRecordRow.local_id == "DESA2-untitled",
                 model=SkippedRecordRow) == 1


def test_record_listed_twice_in_a_page_is_stored_once(store: Store, run: RunContext) -> None:
    record = village_records(1)[0]
    counts = commit(store, run, page_of([record, record]))
    assert counts.new == 1
    assert count(store) == 1


def test_unreadable_record_still_listed_is_not_marked_deleted(store: Store,
                                                              run: RunContext) -> None:
    records = village_records(3)
    commit(store, run, page_of(records))
    with store.write() as session:
        second = begin_run(session, "DESA2", full=True, now=LATER).context
    unreadable = SkippedRecord("record 1 (byte 0)", "directory is not numeric",
                               records[0].local_id)
    counts = commit(store, second, page_of(records[1:], complete=True, full_listing=True,
                                           skipped=[unreadable]), LATER)
    assert counts.deleted == 0
    assert count(store, SourceRecordRow.deleted.is_(False)) == 3
