"""Every verb, by GET and by POST, through a real aiohttp server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.union.feed.conftest import DOMAIN, RECORDS_PAGE, Catalogue, identifier
from tests.union.feed.oai_client import NS, OaiClient

METHODS = pytest.mark.parametrize("method", ["GET", "POST"])


@METHODS
async def test_identify(oai: OaiClient, catalogue: Catalogue, method: str) -> None:
    response = await oai.send(method, [("verb", "Identify")])
    identify = response.root.find("oai:Identify", NS)
    assert response.request.attrib == {"verb": "Identify"}
    assert response.request.text == oai.base_url
    assert identify.findtext("oai:baseURL", namespaces=NS) == oai.base_url
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    earliest = min(r.datestamp for r in catalogue.records)
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == (
        earliest.strftime("%Y-%m-%dT%H:%M:%SZ"))
    scheme = identify.find(".//{http://www.openarchives.org/OAI/2.0/oai-identifier}"
                           "repositoryIdentifier")
    assert scheme.text == DOMAIN


@METHODS
async def test_list_metadata_formats(oai: OaiClient, method: str) -> None:
    response = await oai.send(method, [("verb", "ListMetadataFormats")])
    prefixes = [e.text for e in response.root.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "marc21"]


@METHODS
async def test_list_metadata_formats_of_an_item(oai: OaiClient, method: str) -> None:
    response = await oai.send(method, [("verb", "ListMetadataFormats"),
                                       ("identifier", identifier("w00001"))])
    assert response.request.get("identifier") == identifier("w00001")
    assert len(response.root.findall(".//oai:metadataFormat", NS)) == 2


@METHODS
async def test_list_sets(oai: OaiClient, method: str) -> None:
    response = await oai.send(method, [("verb", "ListSets")])
    specs = [e.text for e in response.root.iterfind(".//oai:setSpec", NS)]
    assert {"branch", "branch:KOTA", "kind", "kind:village", "format", "format:book",
            "local"} <= set(specs)


@METHODS
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_get_record(oai: OaiClient, catalogue: Catalogue, method: str,
                          prefix: str) -> None:
    response = await oai.send(method, [("verb", "GetRecord"), ("metadataPrefix", prefix),
                                       ("identifier", identifier("w00002"))])
    (record,) = response.records
    assert response.identifiers() == [identifier("w00002")]
    metadata = record.find("oai:metadata", NS)[0]
    title = catalogue.by_id["w00002"].bib.title
    if prefix == "marc21":
        assert metadata.tag == "{http://www.loc.gov/MARC21/slim}record"
        assert metadata.findtext(".//marc:datafield[@tag='245']/marc:subfield[@code='a']",
                                 namespaces=NS).startswith(title)
    else:
        assert metadata.tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
        assert metadata.findtext("dc:title", namespaces=NS).startswith(title)


@METHODS
async def test_list_identifiers(oai: OaiClient, method: str) -> None:
    response = await oai.send(method, [("verb", "ListIdentifiers"),
                                       ("metadataPrefix", "oai_dc")])
    assert response.identifiers()[0] == identifier("w00000")
    assert not response.records
    assert response.token is not None and response.token.text


@METHODS
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_list_records(oai: OaiClient, method: str, prefix: str) -> None:
    response = await oai.send(method, [("verb", "ListRecords"), ("metadataPrefix", prefix)])
    assert len(response.records) == RECORDS_PAGE
    assert response.token.get("cursor") == "0"


async def test_responses_are_text_xml_in_utf8(oai: OaiClient) -> None:
    response = await oai.get(verb="Identify")
    assert (response.content_type, response.charset) == ("text/xml", "utf-8")
    assert response.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


async def test_post_must_be_form_encoded(oai: OaiClient) -> None:
    async with oai.session.post(oai.base_url, data=b'{"verb": "Identify"}',
                                headers={"Content-Type": "application/json"}) as response:
        assert response.status == 415


async def test_encoded_ampersand_stays_inside_the_value(oai: OaiClient) -> None:
    # identifier=a%26verb%3DIdentify is one argument, not a second verb.
    response = await oai.raw("GET", "verb=GetRecord&metadataPrefix=oai_dc"
                                    "&identifier=oai%3Ax.org%3Aa%26verb%3DIdentify")
    assert response.errors == ["idDoesNotExist"]
    assert response.request.get("identifier") == "oai:x.org:a&verb=Identify"


async def test_get_and_post_give_the_same_document(oai: OaiClient) -> None:
    args = [("verb", "ListRecords"), ("metadataPrefix", "marc21"), ("set", "branch:DESA2")]
    assert (await oai.send("GET", args)).body == (await oai.send("POST", args)).body
