"""The MARC file harvester: paging, checkpoints and resumption, downloads."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from datetime import UTC
from pathlib import Path
from typing import Any

import aiohttp
import pymarc
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from harvesters.base import Harvester
from harvesters.errors import HarvestError
from harvesters.marc_file import MarcFileHarvester
from harvesters.marc_identity import datestamp_005
from harvesters.records import ISO2709, MARCXML, Page

REPO = Path(__file__).resolve().parents[2]
MARC = REPO.parent / "shared" / "data" / "marc"
LOC = MARC / "loc-booksall-2016-part01" / "BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"
OPERA = MARC / "debian-idzebra-2.0-examples" / "marcxml" / "collection-opera-43.xml"
BAD_RECORDS = MARC / "pymarc-5.4.0-sdist-test" / "bad_records.mrc"


async def pages_of(
    harvester: Harvester,
    checkpoint: dict[str, Any] | None = None,
    *,
    full: bool = False,
    stop_after: int | None = None,
) -> list[Page]:
    """The pages of one harvest, stopping (as a crash would) after ``stop_after``."""
    pages = []
    async with contextlib.aclosing(harvester.harvest(checkpoint, full=full)) as stream:
        async for page in stream:
            pages.append(page)
            if stop_after is not None and len(pages) == stop_after:
                break
    return pages


def ids(pages: list[Page]) -> list[str]:
    return [r.local_id for p in pages for r in p.records]


def marc(
    control_number: str | None = None,
    *,
    status: str = "n",
    fields: list[pymarc.Field] | None = None,
) -> bytes:
    """One UTF-8 ISO 2709 record made with pymarc."""
    record = pymarc.Record(leader=f"00000{status}am a2200000 a 4500", force_utf8=True)
    if control_number is not None:
        record.add_field(pymarc.Field("001", data=control_number))
    for field in fields or []:
        record.add_field(field)
    record.add_field(
        pymarc.Field("245", pymarc.Indicators("1", "0"), [pymarc.Subfield("a", "A title")])
    )
    return record.as_marc()


# --------------------------------------------------------------- pages


async def test_harvest_pages_every_record_and_ends_with_a_full_listing() -> None:
    pages = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=500))
    assert [len(p.records) for p in pages] == [500, 500, 500, 500, 500, 328]
    assert [(p.complete, p.full_listing) for p in pages] == [(False, False)] * 5 + [(True, True)]
    assert all(p.skipped == [] for p in pages)
    assert len(set(ids(pages))) == 2828


async def test_harvested_record_carries_bytes_parsed_record_id_and_datestamp() -> None:
    pages = await pages_of(MarcFileHarvester("loc", LOC, ISO2709, page_size=10), stop_after=1)
    first = pages[0].records[0]
    assert first.format == ISO2709
    assert first.payload == LOC.read_bytes()[: len(first.payload)]
    assert first.payload.endswith(b"\x1d")
    assert first.marc is not None
    assert first.local_id == first.marc["001"].data.strip()
    assert first.datestamp == datestamp_005(first.marc)
    assert first.datestamp is not None and first.datestamp.tzinfo is UTC
    assert first.deleted is False


async def test_skipped_records_name_file_record_number_and_byte() -> None:
    pages = await pages_of(MarcFileHarvester("pymarc", BAD_RECORDS, ISO2709))
    assert [(s.position, s.reason) for s in pages[0].skipped] == [
        (
            "bad_records.mrc record 5 (byte 509)",
            "directory is unreadable from byte 24: b'245\\xc3\\xb90890000'",
        ),
        ("bad_records.mrc record 7 (byte 764)", "record has no fields (empty directory)"),
        (
            "bad_records.mrc record 9 (byte 917)",
            "file ends 100 bytes into a record whose leader declares 127 bytes (truncated)",
        ),
    ]
    assert len(pages[0].records) == 6


async def test_marcxml_payload_is_the_record_element() -> None:
    pages = await pages_of(MarcFileHarvester("zebra", OPERA, MARCXML, page_size=100))
    records = pages[0].records
    assert len(records) == 43
    assert all(r.format == MARCXML and r.payload.startswith(b"<record") for r in records)
    assert pages[0].complete and pages[0].full_listing


async def test_deleted_record_is_flagged_from_leader_05(tmp_path: Path) -> None:
    path = tmp_path / "branch.mrc"
    path.write_bytes(marc("live") + marc("gone", status="d"))
    pages = await pages_of(MarcFileHarvester("b", path))
    assert [(r.local_id, r.deleted) for r in pages[0].records] == [("live", False), ("gone", True)]


async def test_reading_runs_off_the_event_loop() -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.001)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        await pages_of(MarcFileHarvester("loc", LOC, page_size=2828))
    finally:
        task.cancel()
    assert ticks > 5


# --------------------------------------------------------------- checkpoints


@pytest.mark.parametrize(("path", "fmt", "page_size"), [(LOC, ISO2709, 300), (OPERA, MARCXML, 10)])
async def test_resumed_harvest_continues_exactly_after_the_last_page(
    path: Path, fmt: str, page_size: int
) -> None:
    whole = await pages_of(MarcFileHarvester("b", path, fmt, page_size=page_size))
    first = await pages_of(MarcFileHarvester("b", path, fmt, page_size=page_size), stop_after=2)
    rest = await pages_of(
        MarcFileHarvester("b", path, fmt, page_size=page_size), first[-1].checkpoint
    )
    resumed = [r.payload for p in first + rest for r in p.records]
    assert resumed == [r.payload for p in whole for r in p.records]
    assert ids(first + rest) == ids(whole)
    assert rest[-1].complete and rest[-1].full_listing


async def test_resumed_harvest_keeps_counting_skips_in_place() -> None:
    whole = await pages_of(MarcFileHarvester("p", BAD_RECORDS, page_size=2))
    first = await pages_of(MarcFileHarvester("p", BAD_RECORDS, page_size=2), stop_after=2)
    rest = await pages_of(MarcFileHarvester("p", BAD_RECORDS, page_size=2), first[-1].checkpoint)
    positions = [s.position for p in first + rest for s in p.skipped]
    assert positions == [s.position for p in whole for s in p.skipped]


async def test_unchanged_file_after_a_complete_harvest_yields_one_empty_page() -> None:
    done = await pages_of(MarcFileHarvester("zebra", OPERA, MARCXML))
    again = await pages_of(MarcFileHarvester("zebra", OPERA, MARCXML), done[-1].checkpoint)
    assert len(again) == 1
    assert (again[0].records, again[0].skipped) == ([], [])
    assert again[0].complete and not again[0].full_listing
    assert again[0].checkpoint == done[-1].checkpoint


async def test_full_harvest_reads_an_unchanged_file_again() -> None:
    done = await pages_of(MarcFileHarvester("zebra", OPERA, MARCXML))
    again = await pages_of(
        MarcFileHarvester("zebra", OPERA, MARCXML), done[-1].checkpoint, full=True
    )
    assert ids(again) == ids(done)
    assert again[-1].full_listing


async def test_changed_file_starts_over(tmp_path: Path) -> None:
    path = tmp_path / "branch.mrc"
    path.write_bytes(marc("a") + marc("b") + marc("c"))
    first = await pages_of(MarcFileHarvester("b", path, page_size=1), stop_after=2)
    path.write_bytes(marc("a") + marc("x") + marc("b") + marc("c"))
    rest = await pages_of(MarcFileHarvester("b", path, page_size=1), first[-1].checkpoint)
    assert ids(rest) == ["a", "x", "b", "c"]


async def test_checkpoint_records_file_identity_and_position() -> None:
    pages = await pages_of(MarcFileHarvester("loc", LOC, page_size=1000), stop_after=1)
    checkpoint = pages[0].checkpoint
    assert checkpoint["file"]["size"] == LOC.stat().st_size
    assert len(checkpoint["file"]["sha256"]) == 64
    assert checkpoint["index"] == 1000
    assert checkpoint["offset"] == sum(len(r.payload) for r in pages[0].records)
    assert checkpoint["complete"] is False


# --------------------------------------------------------------- listings


async def test_file_without_records_is_not_a_full_listing(tmp_path: Path) -> None:
    path = tmp_path / "oops.mrc"
    path.write_bytes(b"<html><body>Service unavailable</body></html>\n")
    pages = await pages_of(MarcFileHarvester("b", path))
    assert pages[-1].complete and not pages[-1].full_listing
    assert len(pages[-1].skipped) == 1


async def test_xml_that_breaks_off_is_not_a_full_listing(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    text = OPERA.read_text(encoding="utf-8")
    cut = text.index("<record", len(text) // 2)
    path.write_text(text[:cut] + "<record><leader>&oops;</leader></record>" + text[cut:])
    pages = await pages_of(MarcFileHarvester("b", path, MARCXML))
    assert pages[-1].complete and not pages[-1].full_listing
    assert pages[-1].skipped[-1].reason.startswith("XML is not well-formed")
    assert 0 < len(ids(pages)) < 43


async def test_list_identifiers_yields_every_live_id_in_batches() -> None:
    harvester = MarcFileHarvester("loc", LOC, page_size=1000)
    batches = [batch async for batch in harvester.list_identifiers()]
    assert [len(b) for b in batches] == [1000, 1000, 828]
    assert sorted(i for batch in batches for i in batch) == sorted(ids(await pages_of(harvester)))


async def test_list_identifiers_leaves_out_deleted_and_keeps_named_skips(tmp_path: Path) -> None:
    path = tmp_path / "branch.mrc"
    truncated = marc("cut")[:-5]
    path.write_bytes(marc("live") + marc("gone", status="d") + truncated)
    batches = [batch async for batch in MarcFileHarvester("b", path).list_identifiers()]
    assert batches == [["live", "cut"]]


# --------------------------------------------------------------- sources


@pytest.fixture
async def file_server(tmp_path: Path) -> AsyncIterator[TestServer]:
    """A real HTTP server on 127.0.0.1 serving the files put in its folder."""
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copy(LOC, folder / "loc.mrc")
    app = web.Application()
    app.router.add_static("/files/", folder)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def test_url_source_is_downloaded_and_read_like_a_file(
    file_server: TestServer, tmp_path: Path
) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    url = str(file_server.make_url("/files/loc.mrc"))
    async with aiohttp.ClientSession() as session:
        harvester = MarcFileHarvester(
            "remote", url, ISO2709, session=session, download_dir=downloads, chunk_size=4096
        )
        remote = await pages_of(harvester)
    local = await pages_of(MarcFileHarvester("remote", LOC, ISO2709))
    assert [r.payload for p in remote for r in p.records] == [
        r.payload for p in local for r in p.records
    ]
    assert remote[-1].checkpoint["file"] == local[-1].checkpoint["file"]
    assert list(downloads.iterdir()) == []


async def test_download_is_removed_when_the_consumer_stops_early(
    file_server: TestServer, tmp_path: Path
) -> None:
    url = str(file_server.make_url("/files/loc.mrc"))
    async with aiohttp.ClientSession() as session:
        harvester = MarcFileHarvester("remote", url, session=session, download_dir=tmp_path)
        pages = await pages_of(harvester, stop_after=1)
    assert len(pages) == 1
    assert [p for p in tmp_path.iterdir() if p.name.startswith("marc-")] == []


async def test_http_error_raises_harvest_error(file_server: TestServer) -> None:
    url = str(file_server.make_url("/files/missing.mrc"))
    async with aiohttp.ClientSession() as session:
        harvester = MarcFileHarvester("remote", url, session=session)
        with pytest.raises(HarvestError, match="download failed: HTTP 404"):
            await pages_of(harvester)


async def test_unreachable_url_raises_harvest_error() -> None:
    server = TestServer(web.Application(), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/gone.mrc"))
    await server.close()
    async with aiohttp.ClientSession() as session:
        harvester = MarcFileHarvester("remote", url, session=session)
        with pytest.raises(HarvestError, match="download failed") as caught:
            await pages_of(harvester)
    assert caught.value.source == "remote"


async def test_missing_file_raises_harvest_error(tmp_path: Path) -> None:
    harvester = MarcFileHarvester("b", tmp_path / "nowhere.mrc")
    with pytest.raises(HarvestError, match=r"cannot open MARC file .*nowhere\.mrc"):
        await pages_of(harvester)


async def test_url_without_a_session_raises_harvest_error() -> None:
    harvester = MarcFileHarvester("b", "http://127.0.0.1:9/x.mrc")
    with pytest.raises(HarvestError, match="needs an HTTP session"):
        await pages_of(harvester)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format must be one of"):
        MarcFileHarvester("b", LOC, "marcjson")


async def test_concurrent_marcxml_harvests_stopping_anywhere_are_safe() -> None:
    # lxml's incremental parser aborts the process if it hops between threads; each
    # harvest must keep its parsing on one thread, also when stopped early.
    async def one(stop: int) -> int:
        harvester = MarcFileHarvester("z", OPERA, MARCXML, page_size=1)
        return len(await pages_of(harvester, stop_after=stop or None))

    for round_ in range(40):
        counts = await asyncio.gather(*(one((round_ + i) % 7) for i in range(4)))
        assert all(count in (43, (round_ + i) % 7) for i, count in enumerate(counts))
