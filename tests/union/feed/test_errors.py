"""Every argument rule and error code, over HTTP; each response is schema-valid, and its
<request> echoes the arguments except on badVerb and badArgument."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from tests.union.feed.conftest import identifier
from tests.union.feed.oai_client import OaiClient

W1 = identifier("w00001").replace(":", "%3A")

BAD_VERB = {
    "missing verb": "",
    "missing verb, other arguments": "metadataPrefix=oai_dc",
    "unknown verb": "verb=Frobnicate",
    "verb in the wrong case": "verb=identify",
    "repeated verb": "verb=Identify&verb=Identify",
    "repeated verb, different values": "verb=Identify&verb=ListSets",
}
BAD_ARGUMENT = {
    "Identify takes no arguments": "verb=Identify&metadataPrefix=oai_dc",
    "unknown argument": "verb=ListRecords&metadataPrefix=oai_dc&colour=blue",
    "argument of another verb": "verb=ListRecords&metadataPrefix=oai_dc&identifier=" + W1,
    "missing metadataPrefix": "verb=ListRecords",
    "missing metadataPrefix, ListIdentifiers": "verb=ListIdentifiers&set=local",
    "GetRecord without identifier": "verb=GetRecord&metadataPrefix=oai_dc",
    "GetRecord without metadataPrefix": "verb=GetRecord&identifier=" + W1,
    "repeated argument": "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
    "repeated from": "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&from=2024-01-02",
    "resumptionToken with metadataPrefix": "verb=ListRecords&metadataPrefix=oai_dc"
                                           "&resumptionToken=abc",
    "resumptionToken with from": "verb=ListIdentifiers&resumptionToken=abc&from=2024-01-01",
    "from later than until": "verb=ListRecords&metadataPrefix=oai_dc"
                             "&from=2024-01-05&until=2024-01-04",
    "from later than until, seconds": "verb=ListRecords&metadataPrefix=oai_dc"
                                      "&from=2024-01-05T00:00:01Z&until=2024-01-05T00:00:00Z",
    "mixed granularities": "verb=ListRecords&metadataPrefix=oai_dc"
                           "&from=2024-01-01&until=2024-01-05T00:00:00Z",
    "too fine granularity": "verb=ListRecords&metadataPrefix=oai_dc"
                            "&from=2024-01-01T00:00:00.5Z",
    "time zone offset": "verb=ListRecords&metadataPrefix=oai_dc&until=2024-01-01T07:00:00%2B07:00",
    "time without Z": "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01T00:00:00",
    "minutes only": "verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-01T00:00Z",
    "not a real date": "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30",
    "empty from": "verb=ListRecords&metadataPrefix=oai_dc&from=",
    "illegal set": "verb=ListRecords&metadataPrefix=oai_dc&set=branch%20KOTA",
    "set ending in a colon": "verb=ListRecords&metadataPrefix=oai_dc&set=branch:",
    "illegal metadataPrefix": "verb=ListRecords&metadataPrefix=oai%20dc",
    "identifier with a space": "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ax%20y",
    "ListSets with a set": "verb=ListSets&set=local",
    "not UTF-8": "verb=ListRecords&metadataPrefix=%FF",
    "control character": "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai%3Ax%01",
}
ECHOED = {
    "unknown format, ListRecords": ("verb=ListRecords&metadataPrefix=mods",
                                    ["cannotDisseminateFormat"]),
    "unknown format, ListIdentifiers": ("verb=ListIdentifiers&metadataPrefix=mods&set=local",
                                        ["cannotDisseminateFormat"]),
    "unknown format, GetRecord": ("verb=GetRecord&metadataPrefix=mods&identifier=" + W1,
                                  ["cannotDisseminateFormat"]),
    "unknown identifier": ("verb=GetRecord&metadataPrefix=oai_dc&identifier="
                           + identifier("w99999"), ["idDoesNotExist"]),
    "identifier of another repository": ("verb=GetRecord&metadataPrefix=oai_dc"
                                         "&identifier=oai%3Aexample.org%3Aw00001",
                                         ["idDoesNotExist"]),
    "not an oai identifier": ("verb=GetRecord&metadataPrefix=oai_dc&identifier=w00001",
                              ["idDoesNotExist"]),
    "unknown identifier and format": ("verb=GetRecord&metadataPrefix=mods&identifier=nope",
                                      ["cannotDisseminateFormat", "idDoesNotExist"]),
    "formats of an unknown identifier": ("verb=ListMetadataFormats&identifier=nope",
                                         ["idDoesNotExist"]),
    "nothing from the future": ("verb=ListRecords&metadataPrefix=oai_dc&from=2030-01-01",
                                ["noRecordsMatch"]),
    "nothing before the earliest": ("verb=ListIdentifiers&metadataPrefix=marc21"
                                    "&until=2023-12-31T23:59:59Z", ["noRecordsMatch"]),
    "unknown set": ("verb=ListRecords&metadataPrefix=oai_dc&set=branch:NOPE",
                    ["noRecordsMatch"]),
    "set that is only a prefix of a real one": ("verb=ListIdentifiers&metadataPrefix=oai_dc"
                                                "&set=branch:KOT", ["noRecordsMatch"]),
    "garbage token": ("verb=ListRecords&resumptionToken=garbage", ["badResumptionToken"]),
    "empty token": ("verb=ListIdentifiers&resumptionToken=", ["badResumptionToken"]),
    "token for ListSets": ("verb=ListSets&resumptionToken=abc", ["badResumptionToken"]),
}
METHODS = pytest.mark.parametrize("method", ["GET", "POST"])


@METHODS
@pytest.mark.parametrize("query", BAD_VERB.values(), ids=BAD_VERB.keys())
async def test_bad_verb(oai: OaiClient, method: str, query: str) -> None:
    response = await oai.raw(method, query)
    assert response.errors == ["badVerb"]
    assert response.request.attrib == {}
    assert response.request.text == oai.base_url


@METHODS
@pytest.mark.parametrize("query", BAD_ARGUMENT.values(), ids=BAD_ARGUMENT.keys())
async def test_bad_argument(oai: OaiClient, method: str, query: str) -> None:
    response = await oai.raw(method, query)
    assert response.errors == ["badArgument"]
    assert response.request.attrib == {}


@METHODS
@pytest.mark.parametrize(("query", "codes"), ECHOED.values(), ids=ECHOED.keys())
async def test_other_errors_echo_the_request(oai: OaiClient, method: str, query: str,
                                             codes: list[str]) -> None:
    response = await oai.raw(method, query)
    assert response.errors == codes
    assert dict(response.request.attrib) == dict(parse_qsl(query, keep_blank_values=True))


async def test_until_as_a_day_needs_no_time_to_match(oai: OaiClient) -> None:
    # The first works are stamped 2024-01-01T00:00:00Z; a day-granularity until on that
    # day includes them (and a from/until pair in days is not mixed granularity).
    response = await oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc",
                             from_="2024-01-01", until="2024-01-01")
    assert not response.errors
