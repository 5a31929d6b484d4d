"""Resumption: stateless keyset tokens, cursor and completeListSize, tamper-evidence,
and pages that stay put while the catalogue changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from lxml import etree

from tests.union.feed.conftest import (
    IDENTIFIERS_PAGE,
    RECORDS_PAGE,
    WORKS,
    Catalogue,
    FakeClock,
    identifier,
)
from tests.union.feed.oai_client import NS, OaiClient, assert_valid
from tests.union.feed.sqlite_repository import feed_record
from union.feed.provider import FeedConfig, OaiProvider


def _expected_order(catalogue: Catalogue) -> list[str]:
    ordered = sorted(catalogue.records, key=lambda r: (r.datestamp, r.work_id))
    return [identifier(r.work_id) for r in ordered]


def _page_body(response_root: etree._Element) -> bytes:
    """The verb element without the responseDate, for comparing pages."""
    return etree.tostring(response_root[2])


@pytest.mark.parametrize(("verb", "prefix", "method", "size"), [
    ("ListRecords", "marc21", "GET", RECORDS_PAGE),
    ("ListRecords", "oai_dc", "POST", RECORDS_PAGE),
    ("ListIdentifiers", "oai_dc", "GET", IDENTIFIERS_PAGE),
    ("ListIdentifiers", "marc21", "POST", IDENTIFIERS_PAGE),
])
async def test_full_harvest_collects_every_work_once_in_order(
        oai: OaiClient, catalogue: Catalogue, verb: str, prefix: str, method: str,
        size: int) -> None:
    headers, pages = await oai.harvest(verb, method, metadataPrefix=prefix)
    identifiers = [h.findtext("oai:identifier", namespaces=NS) for h in headers]
    assert len(identifiers) == WORKS
    assert identifiers == _expected_order(catalogue)
    assert len(pages) == -(-WORKS // size)
    cursor = 0
    for page in pages:
        token = page.token
        assert token.get("cursor") == str(cursor)
        assert token.get("completeListSize") == str(WORKS)
        cursor += len(page.headers)
    assert pages[-1].token.text is None  # the last page's token is empty


async def test_a_list_in_one_page_has_no_token(oai: OaiClient) -> None:
    response = await oai.get(verb="ListRecords", metadataPrefix="oai_dc",
                             until="2024-01-01T01:30:00Z")
    assert len(response.records) == 6
    assert response.token is None


async def test_resumed_requests_echo_only_the_token(oai: OaiClient) -> None:
    first = await oai.get(verb="ListRecords", metadataPrefix="marc21", set="kind:village")
    second = await oai.get(verb="ListRecords", resumptionToken=first.token.text)
    assert dict(second.request.attrib) == {"verb": "ListRecords",
                                           "resumptionToken": first.token.text}


@pytest.mark.parametrize("position", [0, 10, -1, -12])
async def test_an_altered_token_is_a_bad_resumption_token(oai: OaiClient,
                                                          position: int) -> None:
    first = await oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.token.text
    flipped = "A" if token[position] != "A" else "B"
    altered = token[:position] + flipped + token[position + 1:] if position != -1 else (
        token[:-1] + flipped)
    response = await oai.get(verb="ListIdentifiers", resumptionToken=altered)
    assert response.errors == ["badResumptionToken"]
    assert response.request.get("resumptionToken") == altered


async def test_a_token_of_another_verb_is_a_bad_resumption_token(oai: OaiClient) -> None:
    first = await oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
    response = await oai.get(verb="ListRecords", resumptionToken=first.token.text)
    assert response.errors == ["badResumptionToken"]


def test_a_token_of_another_server_secret_is_a_bad_resumption_token(
        catalogue: Catalogue, config: FeedConfig, clock: FakeClock,
        oai_schema: etree.XMLSchema) -> None:
    other = OaiProvider(catalogue.repository, replace(config, secret=b"another secret" * 3),
                        clock)
    ours = OaiProvider(catalogue.repository, config, clock)
    first = assert_valid(oai_schema, "".join(other.respond(
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")])))
    token = first.find(".//oai:resumptionToken", NS).text
    answer = assert_valid(oai_schema, "".join(ours.respond(
        [("verb", "ListRecords"), ("resumptionToken", token)])))
    assert answer.find("oai:error", NS).get("code") == "badResumptionToken"


async def test_a_resent_token_gives_the_same_page_after_the_catalogue_changes(
        oai: OaiClient, catalogue: Catalogue, clock: FakeClock, bibs: list) -> None:
    first = await oai.get(verb="ListRecords", metadataPrefix="marc21")
    token = first.token.text
    before = await oai.get(verb="ListRecords", resumptionToken=token)

    clock.advance(minutes=5)
    repository = catalogue.repository
    for n in range(5):  # new works, one of them with the smallest possible id
        repository.put(replace(feed_record(n, bibs[n], clock.now), work_id=f"a{n}"))
    repository.touch("w00003", clock.now)  # a work of the first page changes
    repository.delete("w00150", clock.now)  # one of a later page goes
    clock.advance(minutes=5)

    after = await oai.get(verb="ListRecords", resumptionToken=token)
    assert _page_body(after.root) == _page_body(before.root)
    assert after.token.get("cursor") == str(RECORDS_PAGE)


async def test_works_changed_during_a_harvest_are_not_shuffled_in(
        oai: OaiClient, catalogue: Catalogue, clock: FakeClock, bibs: list) -> None:
    response = await oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = response.identifiers()
    added = 0
    while response.token.text:
        clock.advance(seconds=30)
        catalogue.repository.put(replace(feed_record(added, bibs[added], clock.now),
                                         work_id=f"new{added}"))
        added += 1
        response = await oai.get(verb="ListIdentifiers", resumptionToken=response.token.text)
        seen += response.identifiers()
    assert seen == _expected_order(catalogue)
    # The next incremental harvest, from the first responseDate, picks them up.
    later = await oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc",
                          from_=(clock.now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert len(later.headers) == added


def test_default_page_sizes(catalogue: Catalogue, config: FeedConfig, clock: FakeClock,
                            oai_schema: etree.XMLSchema) -> None:
    defaults = FeedConfig(config.repository_name, config.base_url, config.domain,
                          config.admin_emails, config.secret)
    assert (defaults.records_page_size, defaults.identifiers_page_size) == (100, 500)
    provider = OaiProvider(catalogue.repository, defaults, clock)
    records = assert_valid(oai_schema, "".join(provider.respond(
        [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")])))
    identifiers = assert_valid(oai_schema, "".join(provider.respond(
        [("verb", "ListIdentifiers"), ("metadataPrefix", "oai_dc")])))
    assert len(records.findall(".//oai:record", NS)) == 100
    assert len(identifiers.findall(".//oai:header", NS)) == WORKS  # all fit in 500
    assert identifiers.find(".//oai:resumptionToken", NS) is None
