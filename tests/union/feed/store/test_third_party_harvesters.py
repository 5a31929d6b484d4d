"""The feed as ``union serve`` mounts it, on 127.0.0.1, harvested by four third-party
harvesters (sickle, oaipmh, Perl HTTP::OAI's oai_pmh, Catmandu's OAI importer), in full
and incrementally, with exact counts; every response they were sent is validated."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer, unused_port
from aiohttp.typedefs import Handler
from lxml import etree
from sickle import Sickle

from tests.union.feed.oai_client import assert_valid
from tests.union.feed.store.conftest import DemoFeed
from tests.union.feed.store.harvesters import HARVESTERS, harvest
from union.cli import main
from union.config import load_federation
from union.feed.setup import FOLLOW_SECONDS, setup
from union.search.engine import open_engine
from union.server.context import ServerContext
from union.works.reading import live_works


@pytest.fixture
async def feed_url(demo: DemoFeed, tmp_path: Path,
                   oai_schema: etree.XMLSchema) -> AsyncIterator[str]:
    """The demo feed served by ``union.feed.setup`` on a free port of 127.0.0.1."""
    port = unused_port()
    config = demo.federation.path
    config.write_text(config.read_text().replace("http://127.0.0.1:8080",
                                                 f"http://127.0.0.1:{port}"))
    demo.federation = load_federation(config, {})
    invalid: list[str] = []

    @web.middleware
    async def validate(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if isinstance(response, web.Response) and response.content_type == "text/xml":
            try:
                assert_valid(oai_schema, response.body)  # type: ignore[arg-type]
            except AssertionError as exc:
                invalid.append(str(exc))
        return response

    engine = open_engine(demo.federation.union.search_engine, tmp_path / "index")
    app = web.Application(middlewares=[validate])
    setup(app, ServerContext(demo.federation, demo.store, demo.clock, engine))
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield f"http://127.0.0.1:{port}/oai"
    finally:
        await server.close()
        engine.close()
    assert not invalid, invalid[0]


def _merge_two(demo: DemoFeed, code: str) -> tuple[str, str]:
    """Staff merge two single-record works of branch ``code``; their OAI identifiers
    (survivor, merged away)."""
    with demo.store.read() as session:
        singles = [(wid, members[0][1]) for wid, members in live_works(session)
                   if len(members) == 1 and members[0][0] == code][:2]
    assert main(["--config", str(demo.federation.path), "works", "same",
                 f"{code}:{singles[0][1]}", f"{code}:{singles[1][1]}"]) == 0
    domain = demo.federation.union.oai_domain
    return f"oai:{domain}:{singles[0][0]}", f"oai:{domain}:{singles[1][0]}"


@pytest.mark.parametrize("harvester", HARVESTERS)
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_a_full_harvest_gets_every_work_once(demo: DemoFeed, feed_url: str,
                                                   harvester: str, prefix: str) -> None:
    records = await asyncio.to_thread(harvest, harvester, feed_url, prefix)
    assert len(records) == len({i for i, _ in records}) == demo.works("live")
    assert not any(deleted for _, deleted in records)


@pytest.mark.parametrize("harvester", HARVESTERS)
async def test_incremental_harvests_get_exactly_the_changes(demo: DemoFeed, feed_url: str,
                                                            harvester: str) -> None:
    before = demo.clock.now
    changed_at = demo.clock.advance(minutes=10)
    survivor, merged = await asyncio.to_thread(_merge_two, demo, "DESA3")
    await asyncio.to_thread(demo.refresh)
    demo.clock.advance(minutes=1)

    since = await asyncio.to_thread(harvest, harvester, feed_url, "oai_dc", from_=changed_at)
    assert sorted(since) == sorted([(survivor, False), (merged, True)])
    older = await asyncio.to_thread(harvest, harvester, feed_url, "marc21", until=before)
    assert len(older) == demo.works() - 2
    assert {survivor, merged}.isdisjoint(i for i, _ in older)
    in_set = await asyncio.to_thread(harvest, harvester, feed_url, "marc21",
                                     from_=changed_at - timedelta(seconds=1),
                                     set_spec="branch:DESA3")
    assert sorted(in_set) == sorted([(survivor, False), (merged, True)])
    elsewhere = await asyncio.to_thread(harvest, harvester, feed_url, "oai_dc",
                                        from_=changed_at, set_spec="branch:KOTA")
    assert elsewhere == []


async def test_sickle_harvests_by_post_as_by_get(demo: DemoFeed, feed_url: str) -> None:
    def run(method: str) -> list[str]:
        sickle = Sickle(feed_url, http_method=method, max_retries=0)
        return [r.header.identifier for r in sickle.ListRecords(metadataPrefix="marc21")]

    by_post = await asyncio.to_thread(run, "POST")
    assert by_post == await asyncio.to_thread(run, "GET")
    assert len(by_post) == demo.works("live")


async def test_the_served_feed_follows_the_works_by_itself(demo: DemoFeed,
                                                          feed_url: str) -> None:
    changed_at = demo.clock.advance(minutes=10)
    survivor, merged = await asyncio.to_thread(_merge_two, demo, "KOTA")
    deadline = time.monotonic() + FOLLOW_SECONDS * 4
    since: list[tuple[str, bool]] = []
    while time.monotonic() < deadline and len(since) < 2:
        await asyncio.sleep(0.5)
        since = await asyncio.to_thread(harvest, "sickle", feed_url, "oai_dc",
                                        from_=changed_at)
    assert sorted(since) == sorted([(survivor, False), (merged, True)])
