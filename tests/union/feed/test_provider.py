"""The dispatcher over a repository, without HTTP: formats that decline items, empty
catalogues, pre-rendered metadata, and paging that stays one page in memory."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.union.feed.conftest import WORKS, Catalogue, FakeClock, identifier
from tests.union.feed.oai_client import NS, OaiClient, assert_valid
from tests.union.feed.sqlite_repository import SqliteFeedRepository, build_catalogue
from union.bib_record import BibRecord
from union.feed.formats import MARC21, OAI_DC, MetadataFormat
from union.feed.provider import FeedConfig, OaiProvider
from union.feed.records import FeedRecord, FeedSet

# A format offered only for the works one village branch holds.
DESA2_ONLY = replace(OAI_DC, prefix="oai_dc_desa2",
                     applies=lambda record: "branch:DESA2" in record.sets)


def _ask(provider: OaiProvider, schema: etree.XMLSchema, **args: str) -> etree._Element:
    pairs = [("from" if k == "from_" else k, v) for k, v in args.items()]
    return assert_valid(schema, "".join(provider.respond(pairs)))


def _errors(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.iterfind("oai:error", NS)]


def test_no_metadata_formats_for_an_item_no_format_covers(
        catalogue: Catalogue, config: FeedConfig, clock: FakeClock,
        oai_schema: etree.XMLSchema) -> None:
    provider = OaiProvider(catalogue.repository, replace(config, formats=(DESA2_ONLY,)), clock)
    assert "branch:DESA2" not in catalogue.by_id["w00001"].sets
    root = _ask(provider, oai_schema, verb="ListMetadataFormats",
                identifier=identifier("w00001"))
    assert _errors(root) == ["noMetadataFormats"]
    assert root.find("oai:request", NS).get("identifier") == identifier("w00001")
    root = _ask(provider, oai_schema, verb="GetRecord", metadataPrefix="oai_dc_desa2",
                identifier=identifier("w00001"))
    assert _errors(root) == ["cannotDisseminateFormat"]


def test_lists_in_a_format_hold_only_the_items_it_covers(
        catalogue: Catalogue, config: FeedConfig, clock: FakeClock,
        oai_schema: etree.XMLSchema) -> None:
    config = replace(config, formats=(OAI_DC, DESA2_ONLY), identifiers_page_size=4)
    provider = OaiProvider(catalogue.repository, config, clock)
    root = _ask(provider, oai_schema, verb="ListIdentifiers", metadataPrefix="oai_dc_desa2")
    seen = []
    while True:
        seen += [h.findtext("oai:identifier", namespaces=NS)
                 for h in root.iterfind(".//oai:header", NS)]
        token = root.find(".//oai:resumptionToken", NS)
        if token is None or not token.text:
            break
        root = _ask(provider, oai_schema, verb="ListIdentifiers", resumptionToken=token.text)
    expected = sorted((r for r in catalogue.records if "branch:DESA2" in r.sets),
                      key=lambda r: (r.datestamp, r.work_id))
    assert seen == [identifier(r.work_id) for r in expected]


def test_no_set_hierarchy_when_the_repository_has_no_sets(
        catalogue: Catalogue, provider: OaiProvider, oai_schema: etree.XMLSchema) -> None:
    catalogue.repository.set_sets([])
    root = _ask(provider, oai_schema, verb="ListSets")
    assert _errors(root) == ["noSetHierarchy"]


def test_an_empty_catalogue(tmp_path: Path, config: FeedConfig, clock: FakeClock,
                            oai_schema: etree.XMLSchema) -> None:
    repository = SqliteFeedRepository(tmp_path / "empty.db")
    provider = OaiProvider(repository, config, clock)
    identify = _ask(provider, oai_schema, verb="Identify")
    assert identify.findtext(".//oai:earliestDatestamp", namespaces=NS) == (
        "2024-03-01T12:00:00Z")  # nothing is older than now
    for verb in ("ListRecords", "ListIdentifiers"):
        assert _errors(_ask(provider, oai_schema, verb=verb,
                            metadataPrefix="marc21")) == ["noRecordsMatch"]
    repository.close()


def test_pre_rendered_metadata_gives_the_same_responses(
        tmp_path: Path, bibs: list[BibRecord], catalogue: Catalogue, provider: OaiProvider,
        clock: FakeClock, oai_schema: etree.XMLSchema) -> None:
    prerendered, _ = build_catalogue(tmp_path / "rendered.db", bibs, prerender=True)
    other = OaiProvider(prerendered, provider.config, clock)
    for prefix in ("marc21", "oai_dc"):
        args = [("verb", "ListRecords"), ("metadataPrefix", prefix)]
        answer = other.respond(args)
        assert answer == provider.respond(args)
        assert_valid(oai_schema, "".join(answer))
    prerendered.close()


class _Spy:
    """Wraps a repository, recording each call's keyword arguments."""

    def __init__(self, inner: SqliteFeedRepository) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def earliest_datestamp(self) -> datetime | None:
        return self.inner.earliest_datestamp()

    def list_sets(self) -> list[FeedSet]:
        return list(self.inner.list_sets())

    def get(self, work_id: str) -> FeedRecord | None:
        return self.inner.get(work_id)

    def page(self, **kwargs: Any) -> list[FeedRecord]:
        self.calls.append(("page", kwargs))
        return list(self.inner.page(**kwargs))

    def count(self, **kwargs: Any) -> int:
        self.calls.append(("count", kwargs))
        return self.inner.count(**kwargs)


@pytest.mark.parametrize(("verb", "size", "prefix"), [("ListRecords", 40, "marc21"),
                                                      ("ListIdentifiers", 60, None)])
def test_each_page_reads_one_page_and_counts_once(
        catalogue: Catalogue, config: FeedConfig, clock: FakeClock, verb: str, size: int,
        prefix: str | None, oai_schema: etree.XMLSchema) -> None:
    spy = _Spy(catalogue.repository)
    provider = OaiProvider(spy, config, clock)
    root = _ask(provider, oai_schema, verb=verb, metadataPrefix="marc21")
    pages = 1
    while (token := root.find(".//oai:resumptionToken", NS)) is not None and token.text:
        root = _ask(provider, oai_schema, verb=verb, resumptionToken=token.text)
        pages += 1
    assert [name for name, _ in spy.calls] == ["count"] + ["page"] * pages
    limits = {kwargs["limit"] for name, kwargs in spy.calls if name == "page"}
    assert limits == {size + 1}
    assert {kwargs["metadata_prefix"] for name, kwargs in spy.calls if name == "page"} == {
        prefix}
    assert pages == -(-WORKS // size)


async def test_concurrent_harvests_each_get_every_work(oai: OaiClient) -> None:
    harvests = await asyncio.gather(*(
        oai.harvest("ListRecords", method, metadataPrefix=prefix)
        for method in ("GET", "POST") for prefix in ("marc21", "oai_dc")))
    for headers, _ in harvests:
        assert len(headers) == WORKS


@pytest.mark.parametrize(("change", "message"), [
    ({"domain": "not a domain"}, "domain"),
    ({"secret": b"short"}, "secret"),
    ({"admin_emails": ()}, "e-mail"),
    ({"records_page_size": 0}, "page sizes"),
    ({"formats": ()}, "format"),
    ({"sample_work_id": "has space"}, "sample_work_id"),
])
def test_config_refuses_what_would_make_invalid_responses(
        config: FeedConfig, change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(config, **change)


def test_metadata_formats_name_their_schemas() -> None:
    assert MARC21.schema == "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
    assert isinstance(MetadataFormat("x", "s", "n", MARC21.render).applies(
        FeedRecord("w1", datetime(2024, 1, 1))), bool)
