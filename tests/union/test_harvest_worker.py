"""A MARC file harvested by several worker processes (each parsing its share of the pages)
is committed in file order, and an interrupted harvest resumes with nothing lost or
doubled. Real worker processes, a real SQLite store, the real LoC file."""

from __future__ import annotations

import contextlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from harvesters.marc_file import local_identifier
from harvesters.marc_reading import ReadRecord, read_iso2709
from tests.support.federation import marc_file_branch, write_federation
from tests.support.paths import LOC_INDONESIAN
from union.cli import open_store
from union.config import Branch, load_federation
from union.harvest import harvest_source
from union.harvest_runs import begin_run
from union.harvest_worker import worker_pages
from union.ingest import commit_page
from union.sources import shard_count
from union.store.engine import Store
from union.store.models import HarvestRunRow, SourceRecordRow


def _now() -> datetime:
    return datetime.now(UTC)


def _file_order() -> list[str]:
    with LOC_INDONESIAN.open("rb") as handle:
        return [local_identifier(item.record, item.raw)[0] for item in read_iso2709(handle)
                if isinstance(item, ReadRecord)]


def _stored_order(store: Store) -> list[str]:
    with store.read() as session:
        return list(session.scalars(select(SourceRecordRow.local_id)
                                    .order_by(SourceRecordRow.id)))


def _setup(tmp_path: Path) -> tuple[Store, Branch]:
    shutil.copy(LOC_INDONESIAN, tmp_path / "loc.mrc")
    federation = load_federation(write_federation(tmp_path, marc_file_branch("LOC", "loc.mrc")))
    return open_store(federation), federation.branch("LOC")


async def test_an_iso2709_file_is_read_by_two_workers_and_committed_in_file_order(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    assert shard_count(branch) == 2
    summary = await harvest_source("LOC", worker_pages(branch), store, _now)
    assert summary.status == "complete"
    assert _stored_order(store) == _file_order()
    with store.read() as session:
        assert session.scalar(select(HarvestRunRow.pages)) == 6  # 2,828 records, 500 a page


async def test_a_sharded_harvest_stopped_after_two_pages_resumes_without_loss_or_doubling(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    with store.write() as session:
        start = begin_run(session, "LOC", full=False, now=_now())
    pages = worker_pages(branch)(start.checkpoint, False)
    async with contextlib.aclosing(pages):
        for _ in range(2):
            page = await anext(pages)
            with store.write() as session:
                commit_page(session, start.context, page, _now())
    assert len(_stored_order(store)) == 1000
    summary = await harvest_source("LOC", worker_pages(branch), store, _now)
    assert summary.resumed and summary.counts.new == 1828
    assert _stored_order(store) == _file_order()
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(HarvestRunRow)) == 1
