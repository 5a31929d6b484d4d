"""The OAI-PMH harvester facing faulty servers: retries, backoff, Retry-After, hostile and
oversized responses, and one source failing while another harvests."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest

from harvesters.errors import HarvestError
from harvesters.oai import OaiHarvester, RetryPolicy
from tests.support.harvest_helpers import FixedClock, RecordingSleep, collect_pages, loc_records
from tests.support.oai_fault_server import Fault, OaiFaultServer

FEED = "/feeds/branch"
NOW = datetime(2026, 11, 22, 2, 17, 54, tzinfo=UTC)


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="module")
def records():
    return loc_records(60)


@pytest.fixture
async def server(records):
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 20}}) as running:
        yield running


def _harvester(server, http, sleep, **options) -> OaiHarvester:
    options.setdefault("metadata_prefix", "marc21")
    return OaiHarvester("DESA1", server.url(FEED), session=http, sleep=sleep, **options)


def _count(pages) -> int:
    return sum(len(p.records) for p in pages)


async def test_503_with_retry_after_seconds_is_honoured(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("503", retry_after="7"), path=FEED)
    pages = await collect_pages(_harvester(server, http, sleep), None)
    assert sleep.delays == [7.0]
    assert _count(pages) == 60


async def test_503_with_retry_after_http_date_is_honoured(server, http):
    sleep, clock = RecordingSleep(), FixedClock(NOW)
    later = format_datetime(NOW + timedelta(seconds=30), usegmt=True)
    server.inject(Fault("503", retry_after=later), path=FEED)
    pages = await collect_pages(_harvester(server, http, sleep, clock=clock), None)
    assert sleep.delays == [30.0]
    assert _count(pages) == 60


async def test_retry_after_is_capped(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("503", retry_after="86400"), path=FEED)
    retry = RetryPolicy(retry_after_max=120)
    await collect_pages(_harvester(server, http, sleep, retry=retry), None)
    assert sleep.delays == [120.0]


async def test_a_retry_after_of_neither_seconds_nor_a_date_backs_off_exponentially(server, http):
    # "1²": str.isdigit() takes it for seconds, float() does not.
    sleep = RecordingSleep()
    server.inject(Fault("503", retry_after="1\u00b2"), path=FEED, times=2)
    pages = await collect_pages(_harvester(server, http, sleep), None)
    assert sleep.delays == [1.0, 2.0]
    assert _count(pages) == 60


async def test_503_without_retry_after_backs_off_exponentially(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("503"), path=FEED, times=3)
    pages = await collect_pages(_harvester(server, http, sleep), None)
    assert sleep.delays == [1.0, 2.0, 4.0]
    assert _count(pages) == 60


async def test_dropped_connection_is_retried(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("drop"), path=FEED, when=lambda a: "resumptionToken" in a)
    pages = await collect_pages(_harvester(server, http, sleep), None)
    assert sleep.delays == [1.0]
    assert _count(pages) == 60
    assert [r.faulted for r in server.requests].count("drop") == 1


async def test_timeout_is_retried(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("stall", delay=3.0), path=FEED)
    timeout = aiohttp.ClientTimeout(total=10, sock_read=0.5)
    pages = await collect_pages(_harvester(server, http, sleep, timeout=timeout), None)
    assert sleep.delays[0] == 1.0  # the stalled request timed out and was retried
    assert _count(pages) == 60


async def test_malformed_xml_page_is_fetched_again(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("malformed"), path=FEED, when=lambda a: "resumptionToken" in a)
    pages = await collect_pages(_harvester(server, http, sleep), None)
    assert sleep.delays == [1.0]
    assert _count(pages) == 60
    token_requests = [r.args for r in server.requests if "resumptionToken" in r.args]
    assert token_requests[0] == token_requests[1]  # the same page, asked for again


async def test_malformed_xml_every_time_is_reported_after_the_retries(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("malformed"), path=FEED, times=10)
    harvester = _harvester(server, http, sleep, retry=RetryPolicy(attempts=3))
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    error = caught.value
    assert sleep.delays == [1.0, 2.0]
    assert error.source == "DESA1"
    assert error.url == server.url(FEED) + "?verb=ListRecords&metadataPrefix=marc21"
    assert "gave up after 3 attempts: malformed response" in error.reason
    assert "DESA1" in str(error) and error.url in str(error)


async def test_http_500_html_page_is_retried_then_reported(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("html500"), path=FEED, times=10)
    harvester = _harvester(server, http, sleep, retry=RetryPolicy(attempts=2))
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    assert "HTTP 500" in caught.value.reason
    assert "Internal Server Error" in caught.value.reason
    assert sleep.delays == [1.0]


async def test_client_error_status_is_reported_at_once(server, http):
    sleep = RecordingSleep()
    harvester = OaiHarvester("DESA1", server.url("/feeds/nobody"), session=http, sleep=sleep)
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    assert "HTTP 404" in caught.value.reason
    assert sleep.delays == []


async def test_entity_bomb_is_refused_without_retrying(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("entity_bomb"), path=FEED, times=10)
    with pytest.raises(HarvestError) as caught:
        await collect_pages(_harvester(server, http, sleep), None)
    assert "refused" in caught.value.reason and "DTD" in caught.value.reason
    assert sleep.delays == []
    assert len(server.requests) == 1


async def test_external_entity_is_refused(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("external_entity"), path=FEED)
    harvester = _harvester(server, http, sleep)
    with pytest.raises(HarvestError) as caught:
        await harvester.identify()
    assert "refused" in caught.value.reason
    assert "root:" not in str(caught.value)


async def test_oversized_streamed_response_is_refused(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("oversized", size=3_000_000), path=FEED)
    harvester = _harvester(server, http, sleep, max_bytes=1_000_000)
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    assert "exceeds the 1000000-byte bound" in caught.value.reason
    assert sleep.delays == []


async def test_oversized_declared_length_is_refused_before_reading(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("oversized", size=3_000_000, declare_length=True), path=FEED)
    harvester = _harvester(server, http, sleep, max_bytes=1_000_000)
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    assert "response of 3000000 bytes exceeds" in caught.value.reason


async def test_connection_refused_is_retried_then_reported_with_the_url(http):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleep = RecordingSleep()
    url = f"http://127.0.0.1:{port}/oai"
    harvester = OaiHarvester("DESA2", url, session=http, sleep=sleep,
                             retry=RetryPolicy(attempts=3))
    with pytest.raises(HarvestError) as caught:
        await collect_pages(harvester, None)
    assert caught.value.source == "DESA2"
    assert caught.value.url.startswith(url)
    assert "Connect" in caught.value.reason
    assert sleep.delays == [1.0, 2.0]


async def test_one_source_down_while_another_completes(server, http):
    sleep = RecordingSleep()
    server.inject(Fault("html500"), path="/feeds/down", times=100)
    server.set_feed("down", loc_records(10))
    healthy = _harvester(server, http, sleep)
    down = OaiHarvester("DESA3", server.url("/feeds/down"), session=http, sleep=sleep,
                        metadata_prefix="marc21", retry=RetryPolicy(attempts=3))
    results = await asyncio.gather(collect_pages(healthy, None), collect_pages(down, None),
                                   return_exceptions=True)
    pages, failure = results
    assert isinstance(failure, HarvestError) and failure.source == "DESA3"
    assert not isinstance(pages, BaseException)
    assert _count(pages) == 60 and pages[-1].complete
