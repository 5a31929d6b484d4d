"""A work merged away by staff answers with its survivor, over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from tests.union.catalogue.demo import api_app, open_demo_catalogue, serve_in_thread
from union.cli import main
from union.store.models import WorkRow


@dataclass(frozen=True, slots=True)
class Merge:
    """Two one-record works of different branches that staff said are one work."""

    url: str
    survivor: int
    merged: int
    records: tuple[str, str]


@pytest.fixture
def merge(tmp_path: Path) -> Iterator[Merge]:
    """The demo catalogue with two works merged by a staff override, served."""
    demo = open_demo_catalogue(tmp_path)
    with demo.store.read() as session:
        singles = [(wid, ":".join(display["members"][0])) for wid, display in session.execute(
            select(WorkRow.id, WorkRow.display).where(WorkRow.status == "live")
            .order_by(WorkRow.id)) if len(display["members"]) == 1]
    first = singles[0]
    second = next(s for s in singles if s[1].split(":")[0] != first[1].split(":")[0])
    assert main(["--config", str(demo.federation.path), "works", "same",
                 first[1], second[1]]) == 0
    with demo.store.read() as session:
        gone = session.get(WorkRow, second[0])
        assert gone is not None and gone.status == "merged" and gone.merged_into == first[0]
    for url in serve_in_thread(api_app(demo)):
        yield Merge(url, first[0], second[0], (first[1], second[1]))
    demo.engine.close()
    demo.store.dispose()


async def test_a_merged_away_id_answers_with_its_survivor(merge: Merge) -> None:
    async with aiohttp.ClientSession() as client, \
            client.get(f"{merge.url}/api/works/{merge.merged}") as response:
        body = await response.json()
        assert response.status == 200
        assert response.headers["Content-Location"] == f"/api/works/{merge.survivor}"
    assert (body["id"], body["requested_id"]) == (merge.survivor, merge.merged)
    assert body["merged_from"] == [merge.merged]
    assert sorted(":".join(m) for m in body["members"]) == sorted(merge.records)
    assert [o["kind"] for o in body["evidence"]["overrides"]] == ["same"]
