"""A harvest of the served feed by a real third-party client, Sickle."""

from __future__ import annotations

import asyncio

import pytest
from sickle import Sickle
from sickle.oaiexceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from tests.union.feed.conftest import WORKS, Catalogue, identifier
from tests.union.feed.oai_client import OaiClient


def _harvest(base_url: str, method: str, verb: str, **args: str) -> list:
    sickle = Sickle(base_url, http_method=method, max_retries=0)
    if verb == "ListRecords":
        return list(sickle.ListRecords(ignore_deleted=False, **args))
    return list(sickle.ListIdentifiers(ignore_deleted=False, **args))


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("prefix", ["oai_dc", "marc21"])
async def test_sickle_harvests_every_record(oai: OaiClient, catalogue: Catalogue,
                                            method: str, prefix: str) -> None:
    records = await asyncio.to_thread(_harvest, oai.base_url, method, "ListRecords",
                                      metadataPrefix=prefix)
    assert len(records) == WORKS
    assert len({r.header.identifier for r in records}) == WORKS
    deleted = [r.header.identifier for r in records if r.header.deleted]
    assert sorted(deleted) == sorted(identifier(r.work_id) for r in catalogue.records
                                     if r.deleted)
    if prefix == "oai_dc":
        live = next(r for r in records if not r.header.deleted)
        work = catalogue.by_id[live.header.identifier.rsplit(":", 1)[1]]
        assert live.metadata["title"][0].startswith(work.bib.title)


async def test_sickle_selective_harvest(oai: OaiClient, catalogue: Catalogue) -> None:
    headers = await asyncio.to_thread(_harvest, oai.base_url, "GET", "ListIdentifiers",
                                      metadataPrefix="marc21", set="kind:village",
                                      **{"from": "2024-01-02", "until": "2024-01-05"})
    expected = [r for r in catalogue.records if "kind:village" in r.sets
                and "2024-01-02" <= r.datestamp.strftime("%Y-%m-%d") <= "2024-01-05"]
    assert len(headers) == len(expected) > 0
    assert all("kind:village" in h.setSpecs for h in headers)


async def test_sickle_other_verbs(oai: OaiClient) -> None:
    def run() -> tuple:
        sickle = Sickle(oai.base_url, max_retries=0)
        identify = sickle.Identify()
        formats = [f.metadataPrefix for f in sickle.ListMetadataFormats()]
        sets = [s.setSpec for s in sickle.ListSets()]
        record = sickle.GetRecord(identifier=identifier("w00007"), metadataPrefix="oai_dc")
        return identify, formats, sets, record

    identify, formats, sets, record = await asyncio.to_thread(run)
    assert identify.deletedRecord == "persistent"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert formats == ["oai_dc", "marc21"]
    assert "branch:KOTA" in sets
    assert record.header.identifier == identifier("w00007")


async def test_sickle_sees_the_error_codes(oai: OaiClient) -> None:
    def run(call: str, **args: str) -> None:
        sickle = Sickle(oai.base_url, max_retries=0)
        list(getattr(sickle, call)(**args))

    with pytest.raises(NoRecordsMatch):
        await asyncio.to_thread(run, "ListRecords", metadataPrefix="oai_dc", set="branch:NOPE")
    with pytest.raises(IdDoesNotExist):
        await asyncio.to_thread(run, "ListMetadataFormats", identifier="oai:x.org:nope")
    with pytest.raises(BadResumptionToken):
        await asyncio.to_thread(run, "ListIdentifiers", resumptionToken="forged.token")
