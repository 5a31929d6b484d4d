"""``union reindex`` rebuilds the node's index from the store, and ``union harvest``
leaves it in step with what the harvest changed (real MARC files, SQLite and
PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pymarc
import pytest

from tests.support.federation import demo_catalogue_federation, marc_file_branch, write_federation
from tests.support.paths import REPO
from union.cli import main
from union.config import load_federation
from union.search.engine import SearchQuery, open_engine
from union.search.live_index import read_cursor

CATALOGUES = REPO / "config" / "catalogues"


def indexed(index: Path) -> set[str]:
    engine = open_engine("tantivy", index)
    try:
        return {hit.id for hit in engine.search(SearchQuery("", limit=1000)).hits}
    finally:
        engine.close()


def live_works(config: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    capsys.readouterr()
    assert main(["--config", str(config), "works"]) == 0
    return {line.split("\t")[0] for line in capsys.readouterr().out.splitlines()}


def test_reindex_rebuilds_a_lost_index_from_the_store(
        tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_catalogue_federation(tmp_path, database=store_url)
    assert main(["--config", str(config), "harvest"]) == 0
    index = load_federation(config, {}).union.index
    before = indexed(index)
    cursor = read_cursor(index)
    shutil.rmtree(index)
    capsys.readouterr()
    assert main(["--config", str(config), "reindex"]) == 0
    assert f"{len(before)} karya/works" in capsys.readouterr().out
    assert indexed(index) == before == live_works(config, capsys)
    assert read_cursor(index) == cursor


def test_reindex_in_worker_processes_indexes_every_live_work(
        tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_catalogue_federation(tmp_path, database=store_url)
    assert main(["--config", str(config), "harvest"]) == 0
    index = load_federation(config, {}).union.index
    shutil.rmtree(index)
    assert main(["--config", str(config), "reindex", "--workers", "2"]) == 0
    assert indexed(index) == live_works(config, capsys)


def test_a_harvest_that_drops_records_drops_their_works_from_the_index(
        tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    catalogue = tmp_path / "desa.mrc"
    shutil.copy(CATALOGUES / "desa-air-kuti.mrc", catalogue)
    config = write_federation(tmp_path, marc_file_branch("DESA2", str(catalogue)),
                              database=store_url)
    assert main(["--config", str(config), "harvest"]) == 0
    index = load_federation(config, {}).union.index
    first = indexed(index)
    assert first == live_works(config, capsys)
    with (CATALOGUES / "desa-air-kuti.mrc").open("rb") as handle:
        records = list(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True))
    with catalogue.open("wb") as out:
        for record in records[:-10]:
            out.write(record.as_marc())
    assert main(["--config", str(config), "harvest"]) == 0
    after = indexed(index)
    assert after == live_works(config, capsys)
    assert len(after) == len(first) - 10


def test_reindex_into_another_engine_replaces_the_old_index(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = demo_catalogue_federation(tmp_path)
    assert main(["--config", str(config), "harvest"]) == 0
    text = config.read_text(encoding="utf-8").replace(
        "[union]\n", '[union]\nsearch_engine = "whoosh"\n', 1)
    config.write_text(text, encoding="utf-8")
    assert main(["--config", str(config), "reindex"]) == 0
    engine = open_engine("whoosh", load_federation(config, {}).union.index)
    try:
        assert engine.search(SearchQuery("", limit=0)).total == len(live_works(config, capsys))
    finally:
        engine.close()
