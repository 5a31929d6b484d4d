"""Both SLiMS 9 OAI-PMH endpoints, served as captured, harvested with the ``slims`` profile
(and what goes wrong with the strict ``standard`` profile)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import aiohttp
import pytest
from lxml import etree

from harvesters.errors import HarvestError
from harvesters.oai import OaiHarvester, RetryPolicy, slims
from harvesters.records import OAI_DC
from tests.support.harvest_helpers import RecordingSleep, collect_pages
from tests.support.oai_fault_server import Fault, OaiFaultServer
from tests.support.slims_emulation import SLIMS_FIXTURES

OAI = "/slims/oai.php"
OAI2 = "/slims/oai2.php"
WIB = timezone(timedelta(hours=7))
NS = {"o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def _fixture(name: str) -> etree._Element:
    return etree.parse(str(SLIMS_FIXTURES / name)).getroot()


def _children(element: etree._Element) -> list[tuple[str, str]]:
    return [(etree.QName(c).localname, (c.text or "").strip()) for c in element
            if isinstance(c.tag, str)]


def _metadata(payload: bytes) -> list[tuple[str, str]]:
    return _children(etree.fromstring(payload))


def _records(pages):
    return [r for page in pages for r in page.records]


async def test_slims_oai2_harvests_all_15_records_with_isbns_and_local_datestamps(http):
    captured = _fixture("oai2_verb_ListRecords_metadataPrefix_oai_dc.xml")
    expected = {
        r.findtext("o:header/o:identifier", namespaces=NS): (
            r.findtext(".//dc:identifier_isbn", namespaces=NS),
            r.findtext("o:header/o:datestamp", namespaces=NS),
        )
        for r in captured.iterfind(".//o:record", NS)
    }
    async with OaiFaultServer() as server:
        pages = await collect_pages(
            OaiHarvester("SLIMS2", server.url(OAI2), session=http, profile="slims"), None)
    records = _records(pages)
    assert len(records) == 15 and len(expected) == 15
    assert all(not p.skipped for p in pages) and pages[-1].full_listing
    for record in records:
        isbn, stamp = expected[record.local_id]
        assert record.format == OAI_DC
        assert ("identifier_isbn", isbn) in _metadata(record.payload)
        # "2007-11-29T15:36:50Z" is WIB wall-clock time labelled Z: 08:36:50 UTC.
        local = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=WIB)
        assert record.datestamp == local.astimezone(UTC)
    first = next(r for r in records if r.local_id == "oai:127.0.0.1:8081:slims-1")
    assert ("identifier_isbn", "0764541668") in _metadata(first.payload)
    assert first.datestamp == datetime(2007, 11, 29, 8, 36, 50, tzinfo=UTC)


async def test_slims_oai_php_harvests_all_15_records_with_isbns_and_no_datestamps(http):
    async with OaiFaultServer() as server:
        pages = await collect_pages(
            OaiHarvester("SLIMS1", server.url(OAI), session=http, profile="slims"), None)
    records = _records(pages)
    by_id = {r.local_id: r for r in records}
    assert len(records) == 15 and sorted(by_id) == sorted(f"oai:slims/{n}" for n in range(1, 16))
    assert all(r.datestamp is None for r in records)  # oai.php headers carry none
    assert ("identifier", "0764541668") in _metadata(by_id["oai:slims/1"].payload)
    assert ("identifier", "9780871134691") in _metadata(by_id["oai:slims/15"].payload)
    assert pages[-1].complete and pages[-1].full_listing


async def test_slims_metadata_is_delivered_as_sent(http):
    captured = {}
    for name in ("oai_verb_ListRecords_metadataPrefix_oai_dc.xml",
                 "oai2_verb_ListRecords_metadataPrefix_oai_dc.xml"):
        for record in _fixture(name).iterfind(".//o:record", NS):
            (dc,) = record.find("o:metadata", NS)
            captured[record.findtext("o:header/o:identifier", namespaces=NS)] = _children(dc)
    async with OaiFaultServer() as server:
        records = []
        for path in (OAI, OAI2):
            harvester = OaiHarvester("S", server.url(path), session=http, profile="slims")
            records += _records(await collect_pages(harvester, None))
    assert len(records) == 30
    for record in records:
        # dc:hasPart (item barcodes), dc:hasVersion, <image>... all kept for the catalogue.
        assert _metadata(record.payload) == captured[record.local_id]


async def test_slims_profile_never_sends_from_and_always_lists_in_full(http):
    async with OaiFaultServer() as server:
        harvester = OaiHarvester("SLIMS2", server.url(OAI2), session=http, profile="slims")
        first = await collect_pages(harvester, None)
        second = await collect_pages(harvester, first[-1].checkpoint)
        sent = server.args_sent(OAI2, "ListRecords")
    assert first[-1].checkpoint["watermark"] is not None
    assert all("from" not in args for args in sent) and len(sent) == 2
    assert second[-1].full_listing is True and len(_records(second)) == 15


async def test_slims_oai_php_local_response_date_gives_way_to_the_http_date(http):
    async with OaiFaultServer() as server:
        pages = await collect_pages(
            OaiHarvester("SLIMS1", server.url(OAI), session=http, profile="slims"), None)
    # oai.php claims a responseDate seven hours ahead (WIB labelled Z).
    assert abs(pages[-1].response_date - datetime.now(UTC)) < timedelta(minutes=1)


async def test_slims_oai2_identifier_listing_follows_tokens_through_all_255(http):
    async with OaiFaultServer(slims_catalogue="large") as server:
        harvester = OaiHarvester("SLIMS2", server.url(OAI2), session=http, profile="slims")
        ids = [i async for batch in harvester.list_identifiers() for i in batch]
        sent = server.args_sent(OAI2, "ListIdentifiers")
    assert len(ids) == 255 and len(set(ids)) == 255
    assert ids[0] == "oai:127.0.0.1:8081:slims-1" and ids[-1] == "oai:127.0.0.1:8081:slims-255"
    assert [a.get("resumptionToken") for a in sent] == [None, "100____oai_dc", "200____oai_dc"]


async def test_slims_oai_php_tokens_are_sent_back_verbatim(http):
    async with OaiFaultServer(slims_page_size=4) as server:
        harvester = OaiHarvester("SLIMS1", server.url(OAI), session=http, profile="slims")
        pages = await collect_pages(harvester, None)
        tokens = [a["resumptionToken"] for a in server.args_sent(OAI, "ListRecords")
                  if "resumptionToken" in a]
    ids = [r.local_id for r in _records(pages)]
    assert len(pages) == 4 and len(ids) == 15 and len(set(ids)) == 15
    # Decoded once by the server, as PHP does, the token reads as a query string.
    assert tokens == [f"offset={n}&metadataPrefix=oai_dc" for n in (4, 8, 12)]


async def test_standard_profile_encoding_a_slims_token_twice_stops_instead_of_looping(http):
    async with OaiFaultServer(slims_page_size=4) as server:
        harvester = OaiHarvester("SLIMS1", server.url(OAI), session=http)
        with pytest.raises(HarvestError) as caught:
            await collect_pages(harvester, None)
    assert "same records and the same token" in caught.value.reason


async def test_standard_profile_skips_slims_invalid_oai_dc_with_reasons(http):
    async with OaiFaultServer() as server:
        pages = await collect_pages(OaiHarvester("SLIMS2", server.url(OAI2), session=http),
                                    None)
    skipped = [s for page in pages for s in page.skipped]
    assert _records(pages) == [] and len(skipped) == 15
    assert skipped[0].local_id == "oai:127.0.0.1:8081:slims-1"
    assert "dc:identifier_isbn is not allowed in oai_dc" in skipped[0].reason


async def test_standard_profile_skips_slims_headers_without_datestamps(http):
    async with OaiFaultServer() as server:
        pages = await collect_pages(OaiHarvester("SLIMS1", server.url(OAI), session=http),
                                    None)
    reasons = {s.reason for page in pages for s in page.skipped}
    assert reasons == {"header has no datestamp"}


async def test_slims_oai2_token_made_under_from_answers_no_records_match(http):
    # Why SLiMS is never harvested with `from` (see harvesters.oai.profiles).
    async with OaiFaultServer(slims_catalogue="large") as server, http.get(
        server.url(OAI2), params={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc",
                                  "from": "2024-01-01"}) as first:
        page = etree.fromstring(await first.read())
        token = page.findtext(".//o:resumptionToken", namespaces=NS)
        async with http.get(server.url(OAI2), params={"verb": "ListIdentifiers",
                                                      "resumptionToken": token}) as second:
            answer = etree.fromstring(await second.read())
    assert len(page.findall(".//o:header", NS)) == 100
    assert answer.find("o:error", NS).get("code") == "noRecordsMatch"


async def test_slims_http_500_page_is_retried_then_reported(http):
    sleep = RecordingSleep()
    async with OaiFaultServer() as server:
        server.inject(Fault("html500"), path=OAI2, times=10)
        harvester = OaiHarvester("SLIMS2", server.url(OAI2), session=http, profile="slims",
                                 sleep=sleep, retry=RetryPolicy(attempts=3))
        with pytest.raises(HarvestError) as caught:
            await collect_pages(harvester, None)
    assert "HTTP 500" in caught.value.reason and "mysqli_sql_exception" in caught.value.reason
    assert sleep.delays == [1.0, 2.0]


def test_slims_datestamps_are_read_as_library_local_time():
    wib, wita = slims(), slims(timedelta(hours=8))
    assert wib.parse_datestamp("2007-11-29 16:13:11") == datetime(2007, 11, 29, 9, 13, 11,
                                                                  tzinfo=UTC)
    assert wib.parse_datestamp("2024-03-01T09:00:00Z") == datetime(2024, 3, 1, 2, tzinfo=UTC)
    assert wita.parse_datestamp("2024-03-01T09:00:00Z") == datetime(2024, 3, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError):
        wib.parse_datestamp("0000-00-00 00:00:00")
