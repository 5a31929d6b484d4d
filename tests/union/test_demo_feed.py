"""The demo OAI-PMH feed: protocol answers, validity against the OAI-PMH schemas, paging,
datestamp ranges, deletions, and serving over real HTTP."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import aiohttp
import pymarc
import pytest
from lxml import etree

from harvesters.marcxml_parsing import record_from_marcxml
from tests.support.harvest_helpers import FixedClock, loc_records
from tests.support.paths import LOC_INDONESIAN, OAI_SCHEMA, SHARED
from union.demo_feed.server import Feed, open_feed, serve_feed

OAI = "{http://www.openarchives.org/OAI/2.0/}"
MARC = "{http://www.loc.gov/MARC21/slim}"
SCHEMA = etree.XMLSchema(etree.parse(str(OAI_SCHEMA)))
NOW = datetime(2026, 11, 22, 2, 17, 54, tzinfo=UTC)
BASE = "http://127.0.0.1:8081/oai"
MARC8 = SHARED / "data" / "marc" / "marc4j" / "brkrtest.mrc"


@pytest.fixture(scope="module")
def loc_feed():
    feed = open_feed(LOC_INDONESIAN, page_size=100, clock=FixedClock(NOW))
    yield feed
    feed.close()


def _ask(feed: Feed, **args: str) -> etree._Element:
    return etree.fromstring(feed.respond(args, BASE).encode("utf-8"))


def _valid(document: etree._Element) -> bool:
    ok = SCHEMA.validate(document)
    assert ok, SCHEMA.error_log
    return ok


def _pages(feed: Feed, **args: str):
    """Every page of a list, following the resumption tokens."""
    page = _ask(feed, **args)
    yield page
    verb = args["verb"]
    while (token := page.findtext(f"{OAI}{verb}/{OAI}resumptionToken")):
        page = _ask(feed, verb=verb, resumptionToken=token)
        yield page


def _error(document: etree._Element) -> str | None:
    error = document.find(f"{OAI}error")
    return None if error is None else error.get("code")


def test_identify_is_schema_valid_with_second_granularity(loc_feed):
    answer = _ask(loc_feed, verb="Identify")
    assert _valid(answer)
    assert answer.findtext(f"{OAI}Identify/{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert answer.findtext(f"{OAI}Identify/{OAI}baseURL") == BASE
    assert answer.findtext(f"{OAI}responseDate") == "2026-11-22T02:17:54Z"


def test_list_records_marc21_page_is_schema_valid_marcxml(loc_feed):
    page = _ask(loc_feed, verb="ListRecords", metadataPrefix="marc21")
    assert _valid(page)  # oai-all.xsd validates the MARC21 slim records inside too
    assert len(page.findall(f"{OAI}ListRecords/{OAI}record")) == 100


def test_list_records_oai_dc_page_is_schema_valid(loc_feed):
    page = _ask(loc_feed, verb="ListRecords", metadataPrefix="oai_dc")
    assert _valid(page)
    titles = page.findall(".//{http://purl.org/dc/elements/1.1/}title")
    assert len(titles) == 100


def test_list_metadata_formats_and_list_identifiers_are_schema_valid(loc_feed):
    assert _valid(_ask(loc_feed, verb="ListMetadataFormats"))
    assert _valid(_ask(loc_feed, verb="ListIdentifiers", metadataPrefix="oai_dc"))


def test_every_record_of_the_file_is_served_once_as_published(loc_feed):
    # One LoC record has a stray \x1f in its 001, which XML cannot carry: it is dropped.
    published = {r["001"].data.replace("\x1f", ""): r for r in loc_records()}
    served = [record_from_marcxml(m).record
              for page in _pages(loc_feed, verb="ListRecords", metadataPrefix="marc21")
              for m in page.iter(f"{MARC}record")]
    assert len(served) == 2828
    assert len({r["001"].data for r in served}) == 2828
    differing = [r["001"].data for r in served
                 if r.as_marc() != published[r["001"].data].as_marc()]
    assert differing == ["   00369705"]


def test_tokens_page_with_complete_list_size_cursor_and_an_empty_last_token(loc_feed):
    pages = list(_pages(loc_feed, verb="ListIdentifiers", metadataPrefix="marc21"))
    tokens = [p.find(f"{OAI}ListIdentifiers/{OAI}resumptionToken") for p in pages]
    assert len(pages) == 29
    assert [t.get("cursor") for t in tokens] == [str(100 * n) for n in range(29)]
    assert {t.get("completeListSize") for t in tokens} == {"2828"}
    assert tokens[-1].text is None and all(t.text for t in tokens[:-1])
    assert _valid(pages[-1])


def test_from_and_until_select_by_the_005_datestamp(loc_feed):
    stamps = [r["005"].data[:14] for r in loc_records()]
    expected = sum("20050101000000" <= s <= "20061231235959" for s in stamps)
    headers = [h for page in _pages(loc_feed, verb="ListIdentifiers", metadataPrefix="marc21",
                                    **{"from": "2005-01-01", "until": "2006-12-31"})
               for h in page.iter(f"{OAI}header")]
    assert len(headers) == expected > 0
    assert all("2005-01-01" <= h.findtext(f"{OAI}datestamp") < "2007" for h in headers)


def test_seconds_granularity_from_is_inclusive(loc_feed):
    record = loc_records(1)[0]
    stamp = datetime.strptime(record["005"].data[:14], "%Y%m%d%H%M%S")
    exact = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    headers = _ask(loc_feed, verb="ListIdentifiers", metadataPrefix="marc21",
                   **{"from": exact, "until": exact}).iter(f"{OAI}header")
    assert f"oai:demo.branch:{record['001'].data.strip()}" in [
        h.findtext(f"{OAI}identifier") for h in headers]


def test_fixed_datestamp_overrides_005():
    feed = open_feed(loc_records(5), datestamp=NOW)
    stamps = {h.text for h in _ask(feed, verb="ListIdentifiers", metadataPrefix="oai_dc")
              .iter(f"{OAI}datestamp")}
    assert stamps == {"2026-11-22T02:17:54Z"}


def test_no_records_match_outside_the_range(loc_feed):
    answer = _ask(loc_feed, verb="ListRecords", metadataPrefix="marc21", **{"from": "2030-01-01"})
    assert _error(answer) == "noRecordsMatch" and _valid(answer)


def test_get_record_and_unknown_identifier(loc_feed):
    identifier = f"oai:demo.branch:{loc_records(1)[0]['001'].data.strip()}"
    found = _ask(loc_feed, verb="GetRecord", identifier=identifier, metadataPrefix="marc21")
    assert _valid(found)
    assert found.findtext(f".//{OAI}header/{OAI}identifier") == identifier
    missing = _ask(loc_feed, verb="GetRecord", identifier="oai:x:0", metadataPrefix="marc21")
    assert _error(missing) == "idDoesNotExist" and _valid(missing)


def test_bad_verb_and_bad_argument_echo_only_the_base_url(loc_feed):
    for answer, code in ((_ask(loc_feed, verb="Harvest"), "badVerb"),
                         (_ask(loc_feed, verb="ListRecords"), "badArgument"),
                         (_ask(loc_feed, verb="Identify", extra="1"), "badArgument")):
        assert _error(answer) == code and _valid(answer)
        assert answer.find(f"{OAI}request").attrib == {}


def test_resumption_token_is_exclusive(loc_feed):
    token = _ask(loc_feed, verb="ListRecords", metadataPrefix="marc21").findtext(
        f"{OAI}ListRecords/{OAI}resumptionToken")
    answer = _ask(loc_feed, verb="ListRecords", resumptionToken=token, metadataPrefix="marc21")
    assert _error(answer) == "badArgument"


def test_invalid_token_and_token_of_a_changed_feed_are_bad_resumption_tokens(loc_feed):
    assert _error(_ask(loc_feed, verb="ListRecords", resumptionToken="xyz")) == \
        "badResumptionToken"
    token = _ask(open_feed(loc_records(150)), verb="ListRecords",
                 metadataPrefix="marc21").findtext(f"{OAI}ListRecords/{OAI}resumptionToken")
    assert _error(_ask(loc_feed, verb="ListRecords", resumptionToken=token)) == \
        "badResumptionToken"


def test_unknown_format_cannot_be_disseminated(loc_feed):
    answer = _ask(loc_feed, verb="ListRecords", metadataPrefix="mods")
    assert _error(answer) == "cannotDisseminateFormat" and _valid(answer)


def test_sets_only_when_configured(loc_feed):
    assert _error(_ask(loc_feed, verb="ListSets")) == "noSetHierarchy"
    assert _error(_ask(loc_feed, verb="ListRecords", metadataPrefix="marc21", set="x")) == \
        "noSetHierarchy"
    feed = open_feed(loc_records(3), set_spec="kota")
    assert _valid(_ask(feed, verb="ListSets"))
    page = _ask(feed, verb="ListIdentifiers", metadataPrefix="marc21", set="kota")
    assert [s.text for s in page.iter(f"{OAI}setSpec")] == ["kota"] * 3


def test_leader_05_d_is_published_as_deleted():
    records = loc_records(3)
    gone = copy.deepcopy(records[0])
    gone.leader = pymarc.Leader(gone.leader[:5] + "d" + gone.leader[6:])
    feed = open_feed([gone, *records[1:]], datestamp=NOW)
    page = _ask(feed, verb="ListRecords", metadataPrefix="marc21")
    assert _valid(page)
    statuses = [r.find(f"{OAI}header").get("status") for r in page.iter(f"{OAI}record")]
    assert statuses == ["deleted", None, None]
    first = page.find(f"{OAI}ListRecords/{OAI}record")
    assert first.find(f"{OAI}metadata") is None
    assert _ask(feed, verb="Identify").findtext(f"{OAI}Identify/{OAI}deletedRecord") == "transient"


def test_marc8_records_are_served_as_unicode_marcxml():
    feed = open_feed(MARC8)
    page = _ask(feed, verb="ListRecords", metadataPrefix="marc21")
    served = [record_from_marcxml(m).record for m in page.iter(f"{MARC}record")]
    with MARC8.open("rb") as file:
        original = [r for r in pymarc.MARCReader(file, to_unicode=True) if r]
    assert [r.title for r in served] == [r.title for r in original]
    feed.close()


def test_damaged_records_never_break_a_page():
    damaged = SHARED / "data" / "marc" / "marc4j" / "bad_oversize_field_bad_directory.mrc"
    feed = open_feed(damaged)
    for prefix in ("marc21", "oai_dc"):
        for page in _pages(feed, verb="ListRecords", metadataPrefix=prefix):
            assert page.find(f"{OAI}ListRecords") is not None
    feed.close()


async def test_serve_feed_answers_get_and_post_at_its_base_url():
    async with serve_feed(loc_records(20), page_size=5) as url, aiohttp.ClientSession() as http:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/oai")
        async with http.get(url, params={"verb": "Identify"}) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/xml")
            identify = etree.fromstring(await response.read())
        async with http.post(url, data={"verb": "ListIdentifiers",
                                        "metadataPrefix": "oai_dc"}) as response:
            listed = etree.fromstring(await response.read())
        async with http.get(url + "?verb=Identify&verb=Identify") as response:
            repeated = etree.fromstring(await response.read())
    assert identify.findtext(f"{OAI}Identify/{OAI}baseURL") == url
    assert len(listed.findall(f"{OAI}ListIdentifiers/{OAI}header")) == 5
    assert _error(repeated) == "badArgument"
