"""A work whose records are all gone answers 410 Gone, over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pymarc
import pytest
from sqlalchemy import select

from tests.support.federation import marc_file_branch, write_federation
from tests.support.paths import REPO
from tests.union.catalogue.demo import DemoCatalogue, api_app, serve_in_thread
from union.cli import main
from union.config import load_federation
from union.search.engine import open_engine
from union.store.engine import Store
from union.store.models import WorkRow


def live_works(store: Store) -> set[int]:
    with store.read() as session:
        return set(session.scalars(select(WorkRow.id).where(WorkRow.status == "live")))


@pytest.fixture
def withdrawn(tmp_path: Path) -> Iterator[tuple[str, int]]:
    """A served one-branch catalogue whose branch dropped a record from its MARC file:
    the base URL and the id of the work that record made."""
    catalogue = tmp_path / "desa3.mrc"
    shutil.copy(REPO / "config" / "catalogues" / "desa-petanang.mrc", catalogue)
    config = write_federation(tmp_path, marc_file_branch("DESA3", str(catalogue)))
    assert main(["--config", str(config), "harvest"]) == 0
    federation = load_federation(config, {})
    store = Store(federation.union.database)
    before = live_works(store)
    with catalogue.open("rb") as handle:
        records = [record for record in pymarc.MARCReader(handle) if record]
    with catalogue.open("wb") as out:
        for record in records[1:]:
            out.write(record.as_marc())
    assert main(["--config", str(config), "harvest"]) == 0
    (gone,) = before - live_works(store)
    engine = open_engine(federation.union.search_engine, tmp_path / "index")
    for url in serve_in_thread(api_app(DemoCatalogue(federation, store, engine))):
        yield url, gone
    engine.close()
    store.dispose()


async def test_a_withdrawn_work_answers_410(withdrawn: tuple[str, int]) -> None:
    url, work_id = withdrawn
    async with aiohttp.ClientSession() as client, \
            client.get(f"{url}/api/works/{work_id}") as response:
        body = await response.json()
        assert response.status == 410
    assert body["error"]["code"] == "deleted"
    assert str(work_id) in body["error"]["message"]["id"]
