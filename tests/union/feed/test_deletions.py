"""Persistent deletions: a withdrawn work, or one merged into another, stays a deleted
header for ever, in lists, in sets and in GetRecord."""

from __future__ import annotations

import pytest

from tests.union.feed.conftest import Catalogue, FakeClock, identifier
from tests.union.feed.oai_client import NS, OaiClient

WITHDRAWN = "w00024"
MERGED = "w00025"  # merged into w00026


def _deleted(catalogue: Catalogue) -> set[str]:
    return {identifier(r.work_id) for r in catalogue.records if r.deleted}


async def test_deleted_works_are_listed_as_deleted_headers(oai: OaiClient,
                                                           catalogue: Catalogue) -> None:
    headers, _ = await oai.harvest("ListIdentifiers", metadataPrefix="oai_dc")
    deleted = {h.findtext("oai:identifier", namespaces=NS) for h in headers
               if h.get("status") == "deleted"}
    assert deleted == _deleted(catalogue)
    assert {identifier(WITHDRAWN), identifier(MERGED)} <= deleted


@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_deleted_records_have_no_metadata(oai: OaiClient, catalogue: Catalogue,
                                                prefix: str) -> None:
    _, pages = await oai.harvest("ListRecords", metadataPrefix=prefix, from_="2024-01-08")
    records = [r for page in pages for r in page.records]
    deleted = [r for r in records if r.find("oai:header", NS).get("status") == "deleted"]
    assert len(deleted) == len(_deleted(catalogue))
    assert all(r.find("oai:metadata", NS) is None for r in deleted)
    assert all(r.find("oai:metadata", NS) is not None for r in records if r not in deleted)


@pytest.mark.parametrize("work", [WITHDRAWN, MERGED])
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_get_record_of_a_deleted_work_returns_its_header(
        oai: OaiClient, catalogue: Catalogue, work: str, prefix: str) -> None:
    response = await oai.get(verb="GetRecord", metadataPrefix=prefix,
                             identifier=identifier(work))
    (record,) = response.records
    header = record.find("oai:header", NS)
    assert header.get("status") == "deleted"
    assert header.findtext("oai:datestamp", namespaces=NS) == (
        catalogue.by_id[work].datestamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert record.find("oai:metadata", NS) is None


async def test_a_deleted_work_keeps_its_sets(oai: OaiClient, catalogue: Catalogue) -> None:
    sets = catalogue.by_id[WITHDRAWN].sets
    assert "branch:KOTA" in sets
    headers, _ = await oai.harvest("ListIdentifiers", metadataPrefix="oai_dc",
                                   set="branch:KOTA", from_="2024-01-08")
    assert identifier(WITHDRAWN) in [h.findtext("oai:identifier", namespaces=NS)
                                     for h in headers]


async def test_the_formats_of_a_deleted_work_are_still_listed(oai: OaiClient) -> None:
    response = await oai.get(verb="ListMetadataFormats", identifier=identifier(MERGED))
    assert len(response.root.findall(".//oai:metadataFormat", NS)) == 2


async def test_a_work_deleted_now_is_harvested_as_deleted_from_then_on(
        oai: OaiClient, catalogue: Catalogue, clock: FakeClock) -> None:
    clock.advance(hours=1)
    catalogue.repository.delete("w00100", clock.now)
    deleted_at = clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    clock.advance(seconds=1)
    response = await oai.get(verb="ListIdentifiers", metadataPrefix="marc21",
                             from_=deleted_at)
    (header,) = response.headers
    assert header.get("status") == "deleted"
    assert header.findtext("oai:identifier", namespaces=NS) == identifier("w00100")
    for _ in range(2):  # and it stays deleted
        clock.advance(days=400)
        again = await oai.get(verb="GetRecord", metadataPrefix="oai_dc",
                              identifier=identifier("w00100"))
        assert again.headers[0].get("status") == "deleted"


async def test_earliest_datestamp_counts_deleted_works(oai: OaiClient, catalogue: Catalogue,
                                                       clock: FakeClock) -> None:
    oldest = ("w00000", "w00001", "w00002")
    for work in oldest:  # the three oldest works go now: their datestamps move
        catalogue.repository.delete(work, clock.now)
    response = await oai.get(verb="Identify")
    expected = min(r.datestamp for r in catalogue.records if r.work_id not in oldest)
    assert response.root.findtext(".//oai:earliestDatestamp", namespaces=NS) == (
        expected.strftime("%Y-%m-%dT%H:%M:%SZ")) == "2024-01-01T01:30:00Z"
