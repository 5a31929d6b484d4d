"""A MARC file harvested by several worker processes (each parsing its share of the pages),
or an OAI-PMH feed fetched by one and converted by others, is committed in order, and an
interrupted harvest resumes with nothing lost or doubled. Real worker processes, a real
OAI-PMH server on 127.0.0.1, a real SQLite store, the real LoC file."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from sqlalchemy import func, select

from harvesters.iso2709_reading import read_iso2709
from harvesters.marc_identity import local_identifier
from harvesters.marc_reading import ReadRecord
from tests.support.federation import marc_file_branch, write_federation
from tests.support.oai_fault_server import Fault, OaiFaultServer
from tests.support.paths import LOC_INDONESIAN
from union.cli import open_store
from union.config import Branch, load_federation
from union.harvest import harvest_source, inline_pages
from union.harvest_runs import begin_run
from union.harvest_worker import worker_pages
from union.ingest import commit_page
from union.sources import FILE_SHARDS, SHARDED_FILE_BYTES, make_harvester, shard_count
from union.store.engine import Store
from union.store.models import BibRecordRow, CheckpointRow, HarvestRunRow, SourceRecordRow


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


async def _stopped_after(store: Store, branch: Branch, pages: int) -> None:
    """A harvest by two workers that stops, as a crash would, once ``pages`` pages are
    committed."""
    with store.write() as session:
        start = begin_run(session, "LOC", full=False, now=_now())
    produced = worker_pages(branch, 2)(start.checkpoint, False)
    async with contextlib.aclosing(produced):
        for _ in range(pages):
            page = await anext(produced)
            with store.write() as session:
                commit_page(session, start.context, page, _now())


def test_a_village_sized_file_is_read_by_one_worker_and_a_big_one_by_two(
        tmp_path: Path) -> None:
    _, branch = _setup(tmp_path)
    assert (tmp_path / "loc.mrc").stat().st_size < SHARDED_FILE_BYTES
    assert shard_count(branch) == 1
    with (tmp_path / "loc.mrc").open("ab") as handle:
        handle.truncate(SHARDED_FILE_BYTES)
    assert shard_count(branch) == FILE_SHARDS == 2


def test_a_file_published_at_a_url_is_downloaded_and_read_by_one_worker(
        tmp_path: Path) -> None:
    federation = load_federation(write_federation(
        tmp_path, marc_file_branch("LOC", "https://slims.example.org/export/katalog.mrc")))
    assert shard_count(federation.branch("LOC")) == 1


async def test_a_small_file_read_by_one_worker_is_committed_in_file_order(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    summary = await harvest_source("LOC", worker_pages(branch), store, _now)
    assert summary.status == "complete"
    assert _stored_order(store) == _file_order()


async def test_an_iso2709_file_is_read_by_two_workers_and_committed_in_file_order(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    summary = await harvest_source("LOC", worker_pages(branch, 2), store, _now)
    assert summary.status == "complete"
    assert _stored_order(store) == _file_order()
    with store.read() as session:
        assert session.scalar(select(HarvestRunRow.pages)) == 6  # 2,828 records, 500 a page


async def test_a_sharded_harvest_stopped_after_two_pages_resumes_without_loss_or_doubling(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    await _stopped_after(store, branch, 2)
    assert len(_stored_order(store)) == 1000
    summary = await harvest_source("LOC", worker_pages(branch, 2), store, _now)
    assert summary.resumed and summary.counts.new == 1828
    assert _stored_order(store) == _file_order()
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(HarvestRunRow)) == 1


async def test_a_bug_in_a_worker_process_fails_the_run_with_its_traceback_and_loses_nothing(
        tmp_path: Path) -> None:
    store, branch = _setup(tmp_path)
    await _stopped_after(store, branch, 1)
    # A checkpoint the workers cannot use (a hand-edited or corrupted row): seeking to a
    # text offset is a ValueError inside each worker, not a failure of the source.
    with store.write() as session:
        row = session.scalars(select(CheckpointRow)).one()
        row.state = {**row.state, "offset": "not a number"}
    summary = await harvest_source("LOC", worker_pages(branch, 2), store, _now)
    assert summary.status == "failed"
    assert "harvest worker failed" in (summary.error or "")
    assert "ValueError: invalid literal for int()" in (summary.error or "")
    with store.read() as session:
        assert session.scalar(select(HarvestRunRow.error)) == summary.error
    assert _stored_order(store) == _file_order()[:500]


# -- an OAI-PMH feed: one process fetches in order, two convert --------------------------

_NO_SUCH_SET = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                b'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
                b"<responseDate>2026-11-22T02:00:00Z</responseDate>"
                b'<error code="badArgument">the repository is being rebuilt</error></OAI-PMH>')


def _feed_branch(tmp_path: Path, url: str) -> tuple[Store, Branch]:
    tmp_path.mkdir(exist_ok=True)
    federation = load_federation(write_federation(tmp_path, f"""
[[branches]]
code = "LOC"
name = "Library of Congress, Jakarta office"
kind = "city"
source = {{ type = "oai-pmh", url = "{url}", metadata_prefix = "marc21" }}
"""))
    return open_store(federation), federation.branch("LOC")


def _stored(store: Store) -> list[tuple[str, bytes, str, object]]:
    with store.read() as session:
        return [tuple(row) for row in session.execute(
            select(SourceRecordRow.local_id, SourceRecordRow.payload,
                   SourceRecordRow.content_hash, BibRecordRow.data)
            .join(BibRecordRow, BibRecordRow.source_record_id == SourceRecordRow.id)
            .order_by(SourceRecordRow.id))]


async def test_a_feed_fetched_in_one_process_and_converted_in_two_is_stored_as_inline(
        tmp_path: Path) -> None:
    async with OaiFaultServer(feeds={"loc": LOC_INDONESIAN},
                              feed_options={"loc": {"page_size": 300}}) as server:
        url = server.url("/feeds/loc")
        store, branch = _feed_branch(tmp_path / "workers", url)
        assert shard_count(branch) == 2
        summary = await harvest_source("LOC", worker_pages(branch), store, _now)
        async with aiohttp.ClientSession() as http:
            inline_store, _ = _feed_branch(tmp_path / "inline", url)
            inline = inline_pages(make_harvester(branch, http))
            await harvest_source("LOC", inline, inline_store, _now)
    assert summary.status == "complete" and summary.counts.new == len(_file_order())
    assert _stored(store) == _stored(inline_store)  # the same rows, in the feed's order
    with store.read() as session:
        assert session.scalar(select(HarvestRunRow.pages)) == 10  # 2,828 records, 300 a page


async def test_a_feed_failing_mid_list_keeps_its_pages_in_order_and_resumes_after_them(
        tmp_path: Path) -> None:
    async with OaiFaultServer(feeds={"loc": LOC_INDONESIAN},
                              feed_options={"loc": {"page_size": 300}}) as server:
        store, branch = _feed_branch(tmp_path, server.url("/feeds/loc"))
        pages_asked: list[int] = []

        def fourth_page(args: Mapping[str, str]) -> bool:
            pages_asked.append(1)
            return len(pages_asked) == 4

        server.inject(Fault("body", body=_NO_SUCH_SET), path="/feeds/loc", when=fourth_page)
        failed = await harvest_source("LOC", worker_pages(branch), store, _now)
        assert failed.status == "failed" and "badArgument" in (failed.error or "")
        first_three_pages = _stored_order(store)
        assert len(first_three_pages) == 900
        resumed = await harvest_source("LOC", worker_pages(branch), store, _now)
    assert resumed.status == "complete" and resumed.resumed
    assert resumed.counts.new == len(_file_order()) - 900
    stored = _stored_order(store)
    assert stored[:900] == first_three_pages
    assert sorted(stored) == sorted(f"oai:demo.branch:{n}" for n in _file_order())


async def test_a_slims_feed_is_fetched_and_converted_by_one_worker(tmp_path: Path) -> None:
    async with OaiFaultServer(feeds={"loc": LOC_INDONESIAN},
                              feed_options={"loc": {"page_size": 300}}) as server:
        url = server.url("/feeds/loc")
        federation = load_federation(write_federation(tmp_path, f"""
[[branches]]
code = "LOC"
name = "Perpustakaan Desa"
kind = "village"
source = {{ type = "oai-pmh", url = "{url}", metadata_prefix = "marc21", profile = "slims" }}
"""))
        store, branch = open_store(federation), federation.branch("LOC")
        assert shard_count(branch) == 1
        summary = await harvest_source("LOC", worker_pages(branch), store, _now)
    assert summary.status == "complete" and summary.counts.new == len(_file_order())
