"""The OAI-PMH harvester against a real server on 127.0.0.1: paging, incremental
harvests, resuming, token failures, empty lists, deletions, sets and OAI errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta

import aiohttp
import pymarc
import pytest

from harvesters.errors import HarvestError
from harvesters.oai import OaiHarvester, ServerProfile
from harvesters.oai.dates import Granularity
from harvesters.records import MARCXML, OAI_DC
from tests.support.harvest_helpers import FixedClock, collect_pages, loc_records
from tests.support.oai_fault_server import Fault, OaiFaultServer
from tests.support.paths import LOC_INDONESIAN
from tests.support.slims_emulation import SLIMS_FIXTURES

NOW = datetime(2026, 11, 22, 2, 17, 54, tzinfo=UTC)
FEED = "/feeds/branch"


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture(scope="module")
def records() -> list[pymarc.Record]:
    return loc_records(250)


def _harvester(server: OaiFaultServer, http: aiohttp.ClientSession, **options) -> OaiHarvester:
    options.setdefault("metadata_prefix", "marc21")
    return OaiHarvester("KOTA", server.url(FEED), session=http, **options)


def _ids(pages) -> list[str]:
    return [r.local_id for page in pages for r in page.records]


def _stamped(records: list[pymarc.Record], stamp: str) -> list[pymarc.Record]:
    """Copies of ``records`` with their 005 set to ``stamp`` (yyyymmddhhmmss.f)."""
    changed = []
    for record in records:
        record = copy.deepcopy(record)
        record["005"].data = stamp
        changed.append(record)
    return changed


async def test_full_harvest_pages_every_record_exactly_once(http):
    async with OaiFaultServer(feeds={"branch": LOC_INDONESIAN},
                              feed_options={"branch": {"page_size": 100}}) as server:
        pages = await collect_pages(_harvester(server, http), None)
    ids = _ids(pages)
    assert len(pages) == 29
    assert len(ids) == 2828 and len(set(ids)) == 2828
    assert [p.complete for p in pages] == [False] * 28 + [True]
    assert pages[-1].full_listing is True
    assert all(not p.skipped for p in pages)


async def test_marc21_records_arrive_as_published(http, records):
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 40}}) as server:
        pages = await collect_pages(_harvester(server, http), None)
    harvested = [r for page in pages for r in page.records]
    assert [r.format for r in harvested] == [MARCXML] * 250
    by_control = {r.marc["001"].data: r.marc for r in harvested}
    for original in records:
        assert by_control[original["001"].data].as_marc() == original.as_marc()
    assert all(r.payload.startswith(b'<record xmlns="http://www.loc.gov/MARC21/slim">')
               for r in harvested)


async def test_datestamps_are_aware_utc_from_the_header(http, records):
    async with OaiFaultServer(feeds={"branch": records[:5]}) as server:
        pages = await collect_pages(_harvester(server, http), None)
    first = pages[0].records[0]
    stamp = first.marc["005"].data  # the feed publishes 005 as the datestamp
    expected = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    assert first.datestamp == expected and first.datestamp.tzinfo is UTC


async def test_oai_dc_harvest_yields_dublin_core_payloads(http, records):
    async with OaiFaultServer(feeds={"branch": records[:30]}) as server:
        pages = await collect_pages(_harvester(server, http, metadata_prefix="oai_dc"), None)
    harvested = [r for page in pages for r in page.records]
    assert len(harvested) == 30
    assert all(r.format == OAI_DC and r.marc is None for r in harvested)
    assert all(r.payload.startswith(b"<oai_dc:dc ") for r in harvested)


async def test_first_harvest_checkpoint_holds_the_first_response_date_as_watermark(
        http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 100, "clock": clock}}
                              ) as server:
        harvest = _harvester(server, http).harvest(None)
        first = await anext(harvest)
        clock.now = NOW + timedelta(minutes=5)  # later pages answer later
        rest = [page async for page in harvest]
    final = rest[-1].checkpoint
    assert first.checkpoint["started"] == "2026-11-22T02:17:54Z"
    assert final["complete"] is True and final["token"] is None
    assert final["watermark"] == "2026-11-22T02:17:54Z"
    assert rest[-1].response_date == NOW


async def test_incremental_harvest_sends_from_one_second_before_the_watermark(http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 100, "clock": clock}}
                              ) as server:
        first = await collect_pages(_harvester(server, http), None)
        changed = _stamped(records[:7], "20261122021754.0")  # edited as the harvest ran
        server.set_feed("branch", changed + records[7:], page_size=100, clock=clock)
        clock.now = NOW + timedelta(days=1)
        second = await collect_pages(_harvester(server, http), first[-1].checkpoint)
        sent = server.args_sent(FEED, "ListRecords")[-1]
        identify = server.args_sent(FEED, "Identify")
    assert sent["from"] == "2026-11-22T02:17:53Z"
    assert identify  # the granularity came from Identify
    assert sorted(_ids(second)) == sorted(f"oai:demo.branch:{r['001'].data.strip()}"
                                          for r in changed)
    assert second[-1].full_listing is False
    assert second[-1].checkpoint["watermark"] == "2026-11-23T02:17:54Z"


async def test_incremental_harvest_with_day_granularity_overlaps_one_day(http, records):
    clock = FixedClock(NOW)
    day_profile = ServerProfile("standard-by-day", granularity=Granularity.DAY)
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"clock": clock}}) as server:
        harvester = _harvester(server, http, profile=day_profile)
        first = await collect_pages(harvester, None)
        await collect_pages(harvester, first[-1].checkpoint)
        sent = server.args_sent(FEED, "ListRecords")[-1]
    assert sent["from"] == "2026-11-21"


async def test_full_harvest_ignores_the_watermark(http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"clock": clock}}) as server:
        harvester = _harvester(server, http)
        first = await collect_pages(harvester, None)
        again = await collect_pages(harvester, first[-1].checkpoint, full=True)
        sent = server.args_sent(FEED, "ListRecords")[-1]
    assert "from" not in sent
    assert len(_ids(again)) == 10 and again[-1].full_listing is True


async def test_resume_from_a_mid_harvest_checkpoint_loses_and_doubles_nothing(http, records):
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 30}}) as server:
        # The process "dies" after committing page 3 (no prefetch left in flight).
        committed = await collect_pages(_harvester(server, http, prefetch=False), None,
                                        stop_after=3)
        saved = json.loads(json.dumps(committed[-1].checkpoint))  # as the store keeps it
        resumed = await collect_pages(_harvester(server, http), saved)
    ids = _ids(committed) + _ids(resumed)
    assert len(committed) == 3 and len(resumed) == 6
    assert len(ids) == 250 and len(set(ids)) == 250
    assert resumed[-1].checkpoint["started"] == committed[0].checkpoint["started"]
    assert resumed[-1].full_listing is True


async def test_bad_resumption_token_restarts_the_list_from_the_checkpointed_from(
        http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 30, "clock": clock}}
                              ) as server:
        first = await collect_pages(_harvester(server, http), None)
        server.set_feed("branch", _stamped(records, "20261122030000.0"), page_size=30,
                        clock=clock)
        clock.now = NOW + timedelta(hours=2)
        partial = await collect_pages(_harvester(server, http, prefetch=False),
                                      first[-1].checkpoint, stop_after=2)
        server.inject(Fault("bad_token"), path=FEED, when=lambda a: "resumptionToken" in a)
        rest = await collect_pages(_harvester(server, http), partial[-1].checkpoint)
        after_fault = server.args_sent(FEED, "ListRecords")[-len(rest) - 1:][1]
    assert partial[-1].checkpoint["from"] == "2026-11-22T02:17:53Z"
    assert after_fault == {"verb": "ListRecords", "metadataPrefix": "marc21",
                           "from": "2026-11-22T02:17:53Z"}
    assert len(set(_ids(rest))) == 250  # the whole incremental list again, once
    assert rest[-1].checkpoint["watermark"] == "2026-11-22T04:17:54Z"


async def test_bad_resumption_token_without_from_restarts_from_the_top(http, records):
    async with OaiFaultServer(feeds={"branch": records[:90]},
                              feed_options={"branch": {"page_size": 30}}) as server:
        partial = await collect_pages(_harvester(server, http, prefetch=False), None,
                                      stop_after=1)
        server.inject(Fault("bad_token"), path=FEED, when=lambda a: "resumptionToken" in a)
        rest = await collect_pages(_harvester(server, http), partial[-1].checkpoint)
        restart = server.args_sent(FEED, "ListRecords")[-3]
    assert restart == {"verb": "ListRecords", "metadataPrefix": "marc21"}
    assert len(_ids(rest)) == 90 and rest[-1].full_listing is True


async def test_a_token_rejected_again_and_again_gives_up(http, records):
    async with OaiFaultServer(feeds={"branch": records[:90]},
                              feed_options={"branch": {"page_size": 30}}) as server:
        server.inject(Fault("bad_token"), path=FEED, when=lambda a: "resumptionToken" in a,
                      times=100)
        with pytest.raises(HarvestError) as caught:
            await collect_pages(_harvester(server, http, max_restarts=2), None)
    assert caught.value.code == "badResumptionToken"
    assert "rejected 3 times" in caught.value.reason


async def test_no_records_match_is_an_empty_complete_harvest(http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"clock": clock}}) as server:
        first = await collect_pages(_harvester(server, http), None)
        clock.now = NOW + timedelta(hours=1)
        pages = await collect_pages(_harvester(server, http), first[-1].checkpoint)
    assert len(pages) == 1
    page = pages[0]
    assert page.records == [] and page.skipped == []
    assert page.complete is True and page.full_listing is False
    assert page.checkpoint["watermark"] == "2026-11-22T03:17:54Z"


async def test_no_records_match_in_answer_to_a_token_is_an_error(http, records):
    captured = (SLIMS_FIXTURES / "oai2_from_p2.xml").read_bytes()
    async with OaiFaultServer(feeds={"branch": records[:60]},
                              feed_options={"branch": {"page_size": 30}}) as server:
        server.inject(Fault("body", body=captured), path=FEED,
                      when=lambda a: "resumptionToken" in a)
        with pytest.raises(HarvestError) as caught:
            await collect_pages(_harvester(server, http), None)
    assert caught.value.code == "noRecordsMatch"
    assert "lost the list" in caught.value.reason


async def test_deleted_records_are_flagged_with_an_empty_payload(http, records):
    gone = copy.deepcopy(records[:3])
    for record in gone:
        record.leader = pymarc.Leader(record.leader[:5] + "d" + record.leader[6:])
    async with OaiFaultServer(feeds={"branch": gone + records[3:10]}) as server:
        pages = await collect_pages(_harvester(server, http), None)
    deleted = [r for r in pages[0].records if r.deleted]
    assert len(deleted) == 3
    assert all(r.payload == b"" and r.marc is None and r.datestamp for r in deleted)
    assert sum(not r.deleted for r in pages[0].records) == 7


async def test_set_is_sent_and_kept_in_the_checkpoint(http, records):
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"set_spec": "kota"}}) as server:
        pages = await collect_pages(_harvester(server, http, set_spec="kota"), None)
        sent = server.args_sent(FEED, "ListRecords")[0]
    assert sent["set"] == "kota"
    assert pages[-1].checkpoint["set"] == "kota"
    assert len(_ids(pages)) == 10


async def test_other_oai_errors_raise_harvest_error_with_code_and_message(http, records):
    async with OaiFaultServer(feeds={"branch": records[:10]}) as server:
        harvester = _harvester(server, http, metadata_prefix="mods", payload_format="mods")
        with pytest.raises(HarvestError) as caught:
            await collect_pages(harvester, None)
    assert caught.value.code == "cannotDisseminateFormat"
    assert caught.value.source == "KOTA"
    assert "Unsupported format" in caught.value.reason
    assert caught.value.url and "metadataPrefix=mods" in caught.value.url


async def test_unreadable_marc_record_is_skipped_with_identifier_page_and_reason(http):
    page = (
        b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        b"<responseDate>2026-11-22T02:17:54Z</responseDate><request>x</request><ListRecords>"
        b"<record><header><identifier>oai:x:1</identifier>"
        b"<datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata>"
        b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500'
        b'</leader><controlfield tag="001">1</controlfield><datafield tag="245" ind1=" "'
        b' ind2=" "><subfield>judul tanpa kode</subfield></datafield></record></metadata>'
        b"</record>"
        b"<record><header><identifier>oai:x:2</identifier>"
        b"<datestamp>2026-01-01T00:00:00Z</datestamp></header><metadata>"
        b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500'
        b'</leader><controlfield tag="001">2</controlfield></record></metadata></record>'
        b"</ListRecords></OAI-PMH>"
    )
    async with OaiFaultServer(feeds={"branch": []}) as server:
        server.inject(Fault("body", body=page), path=FEED)
        pages = await collect_pages(_harvester(server, http), None)
    assert [r.local_id for r in pages[0].records] == ["oai:x:2"]
    (skip,) = pages[0].skipped
    assert skip.local_id == "oai:x:1" and skip.position == "page 1, record 1"
    assert "without a code" in skip.reason


async def test_list_identifiers_yields_every_live_identifier(http, records):
    gone = copy.deepcopy(records[:5])
    for record in gone:
        record.leader = pymarc.Leader(record.leader[:5] + "d" + record.leader[6:])
    async with OaiFaultServer(feeds={"branch": gone + records[5:]},
                              feed_options={"branch": {"page_size": 60}}) as server:
        batches = [b async for b in _harvester(server, http).list_identifiers()]
        sent = server.args_sent(FEED, "ListIdentifiers")
    ids = [i for batch in batches for i in batch]
    assert len(ids) == 245 and len(set(ids)) == 245
    assert len(sent) == 5 and "from" not in sent[0]


async def test_checkpoint_of_another_metadata_prefix_starts_afresh(http, records):
    clock = FixedClock(NOW)
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"clock": clock}}) as server:
        first = await collect_pages(_harvester(server, http, metadata_prefix="oai_dc"), None)
        pages = await collect_pages(_harvester(server, http), first[-1].checkpoint)
        sent = server.args_sent(FEED, "ListRecords")[-1]
    assert "from" not in sent and pages[-1].full_listing is True


async def test_harvester_pages_in_order_while_prefetching(http, records):
    async with OaiFaultServer(feeds={"branch": records},
                              feed_options={"branch": {"page_size": 25}}) as server:
        pages = await collect_pages(_harvester(server, http), None)
    assert [p.checkpoint["page"] for p in pages] == list(range(1, 11))
    assert _ids(pages) == [f"oai:demo.branch:{r['001'].data.strip()}" for r in
                           sorted(records, key=lambda r: r["005"].data[:14])]


async def test_identify_error_falls_back_to_day_granularity(http, records):
    clock = FixedClock(NOW)
    refusal = (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
               b"<responseDate>2026-11-22T02:17:54Z</responseDate><request>x</request>"
               b'<error code="badVerb">Identify is not implemented</error></OAI-PMH>')
    async with OaiFaultServer(feeds={"branch": records[:10]},
                              feed_options={"branch": {"clock": clock}}) as server:
        first = await collect_pages(_harvester(server, http), None)
        server.inject(Fault("body", body=refusal), path=FEED,
                      when=lambda a: a.get("verb") == "Identify")
        await collect_pages(_harvester(server, http), first[-1].checkpoint)
        sent = server.args_sent(FEED, "ListRecords")[-1]
    assert sent["from"] == "2026-11-21"
