"""Harvesting a whole federation end to end: real OAI-PMH servers on 127.0.0.1, real MARC
files, a real SQLite store; one source failing, and a harvest process killed and resumed."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from harvesters.base import Harvester
from harvesters.oai.client import RetryPolicy
from harvesters.oai.harvester import OaiHarvester
from tests.harvesters.marc_corpus import PYMARC
from tests.support.federation import marc_file_branch, status_json, write_federation
from tests.support.oai_fault_server import Fault, OaiFaultServer
from tests.support.paths import LOC_INDONESIAN, REPO
from union.cli import main, open_store
from union.config import Branch, OaiSource, load_federation
from union.harvest import harvest_federation
from union.sources import make_harvester

DEMO_COUNTS = {"KOTA": 308, "DESA1": 102, "DESA2": 90, "DESA3": 60}
LOC_COUNT = 2828
PYMARC_1251 = PYMARC / "1251.dat"  # a record in the Windows Cyrillic code page


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clock() -> datetime:
    return datetime.now(UTC)


def test_demo_harvests_every_branch_of_the_bundled_federation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = (REPO / "config" / "demo.toml").read_text(encoding="utf-8")
    demo = (demo.replace("port = 8081", f"port = {(port := free_port())}")
                .replace("127.0.0.1:8081", f"127.0.0.1:{port}")
                .replace("../var/demo", str(tmp_path)))
    shutil.copytree(REPO / "config" / "catalogues", tmp_path / "catalogues")
    config = tmp_path / "demo.toml"
    config.write_text(demo, encoding="utf-8")
    assert main(["--config", str(config), "demo"]) == 0
    status = status_json(config, capsys)
    assert {code: entry["live"] for code, entry in status.items()} == DEMO_COUNTS


async def test_one_source_down_does_not_stop_the_others(tmp_path: Path) -> None:
    shutil.copy(REPO / "config" / "catalogues" / "desa-air-kuti.mrc", tmp_path / "desa.mrc")
    config = write_federation(tmp_path, marc_file_branch("DESA2", "desa.mrc") + f"""
[[branches]]
code = "MATI"
name = "Perpustakaan yang sedang mati"
kind = "village"
source = {{ type = "oai-pmh", url = "http://127.0.0.1:{free_port()}/oai" }}
""")
    federation = load_federation(config)
    store = open_store(federation)

    def impatient(branch: Branch, http: aiohttp.ClientSession) -> Harvester:
        # The real harvester, only with short retries so the test does not wait minutes.
        if isinstance(branch.source, OaiSource):
            return OaiHarvester(branch.code, branch.source.url, session=http,
                                retry=RetryPolicy(attempts=2, backoff=0.01))
        return make_harvester(branch, http)

    summaries = {s.code: s for s in await harvest_federation(
        federation, store, clock, harvester_factory=impatient)}
    store.dispose()
    assert summaries["DESA2"].status == "complete"
    assert summaries["DESA2"].counts.new == 90
    assert summaries["MATI"].status == "failed"
    assert "127.0.0.1" in (summaries["MATI"].error or "")


def test_failed_source_reports_its_error_in_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_federation(tmp_path, marc_file_branch("HILANG", "tidak-ada.mrc"))
    assert main(["--config", str(config), "harvest"]) == 1
    entry = status_json(config, capsys)["HILANG"]
    assert entry["last_run"]["status"] == "failed"
    assert "tidak-ada.mrc" in entry["last_error"]


def pages_committed(database: Path) -> int:
    """Pages committed so far; 0 while the harvest is still creating the store's tables."""
    try:
        return harvest_counts(database)[3]
    except sqlite3.OperationalError:
        return 0


def harvest_counts(database: Path) -> tuple[int, int, int, int]:
    """Live records, distinct local ids, change-log rows and pages committed so far."""
    with sqlite3.connect(database) as db:
        live = db.execute("select count(*) from source_records where not deleted").fetchone()[0]
        distinct = db.execute("select count(distinct local_id) from source_records"
                              ).fetchone()[0]
        changes = db.execute("select count(*) from change_log where entity = 'source_record'"
                             ).fetchone()[0]
        pages = db.execute("select coalesce(sum(pages), 0) from harvest_runs").fetchone()[0]
    return live, distinct, changes, pages


async def test_killed_harvest_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    async with OaiFaultServer(feeds={"loc": LOC_INDONESIAN},
                              feed_options={"loc": {"page_size": 100}}) as server:
        # Every page answers slowly, so the harvest is surely killed in the middle.
        server.inject(Fault("stall", delay=0.3), path="/feeds/loc", times=10_000)
        config = write_federation(tmp_path, f"""
[[branches]]
code = "LOC"
name = "Library of Congress, Jakarta office"
kind = "city"
source = {{ type = "oai-pmh", url = "{server.url('/feeds/loc')}", metadata_prefix = "marc21" }}
""")
        command = [str(Path(sys.executable).parent / "union"), "--config", str(config), "harvest"]
        harvest = await asyncio.create_subprocess_exec(*command, cwd=REPO,
                                                       stderr=asyncio.subprocess.DEVNULL)
        database = tmp_path / "union.db"
        for _ in range(600):
            await asyncio.sleep(0.1)
            if database.exists() and pages_committed(database) >= 3:
                break
        harvest.send_signal(signal.SIGKILL)
        await harvest.wait()
        live = harvest_counts(database)[0]
        assert 0 < live < LOC_COUNT, "the harvest must be killed in the middle"

        resumed = await asyncio.create_subprocess_exec(*command, cwd=REPO,
                                                       stderr=asyncio.subprocess.DEVNULL)
        assert await resumed.wait() == 0
    assert harvest_counts(database)[:3] == (LOC_COUNT, LOC_COUNT, LOC_COUNT)
    with sqlite3.connect(database) as db:
        runs = db.execute("select status, new from harvest_runs").fetchall()
    assert runs == [("complete", LOC_COUNT)]


async def test_a_branch_file_in_an_old_code_page_is_read_in_that_code_page(
        tmp_path: Path) -> None:
    shutil.copyfile(PYMARC_1251, tmp_path / "desa.mrc")
    branches = marc_file_branch("DESA2", "desa.mrc").replace(
        'path = "desa.mrc" }', 'path = "desa.mrc", encoding = "cp1251" }')
    branch = load_federation(write_federation(tmp_path, branches)).branches[0]
    async with aiohttp.ClientSession() as http:
        harvester = make_harvester(branch, http)
        async with contextlib.aclosing(harvester.harvest(None)) as stream:
            records = [record async for page in stream for record in page.records]
    assert records[0].marc is not None
    assert records[0].marc["245"]["a"] == "Основы гидравлического расчета инженерных сетей"
