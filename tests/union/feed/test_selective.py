"""Selective harvesting by from, until and set: exact counts, bounds inclusive, a day
given as until includes the whole day, and set hierarchy honoured."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.union.feed.conftest import Catalogue, identifier
from tests.union.feed.oai_client import NS, OaiClient
from union.feed.datestamps import parse_utc
from union.feed.records import FeedRecord
from union.feed.sets import in_set


def _expected(catalogue: Catalogue, from_: str | None = None, until: str | None = None,
              set_spec: str | None = None) -> list[str]:
    low = parse_utc(from_).start if from_ else None
    high = parse_utc(until).end if until else None

    def selected(record: FeedRecord) -> bool:
        return ((low is None or record.datestamp >= low)
                and (high is None or record.datestamp <= high)
                and (set_spec is None or in_set(set_spec, record.sets)))

    chosen = sorted((r for r in catalogue.records if selected(r)),
                    key=lambda r: (r.datestamp, r.work_id))
    return [identifier(r.work_id) for r in chosen]


async def _harvest(oai: OaiClient, verb: str = "ListIdentifiers", **args: str) -> list[str]:
    headers, pages = await oai.harvest(verb, metadataPrefix="oai_dc", **args)
    for page in pages:
        if page.token is not None:
            assert page.token.get("completeListSize") == str(len(headers))
    return [h.findtext("oai:identifier", namespaces=NS) for h in headers]


CASES = {
    "from a day": {"from_": "2024-01-04"},
    "until a day": {"until": "2024-01-04"},
    "from and until in days": {"from_": "2024-01-02", "until": "2024-01-05"},
    "from and until in seconds": {"from_": "2024-01-02T03:00:00Z",
                                  "until": "2024-01-05T16:30:00Z"},
    "one second holding three works": {"from_": "2024-01-02T03:00:00Z",
                                       "until": "2024-01-02T03:00:00Z"},
    "a branch": {"set": "branch:KOTA"},
    "a village branch": {"set": "branch:DESA3"},
    "a kind of branch": {"set": "kind:village"},
    "city libraries": {"set": "kind:city"},
    "a format": {"set": "format:book"},
    "local works": {"set": "local"},
    "every branch (set hierarchy)": {"set": "branch"},
    "every kind (set hierarchy)": {"set": "kind"},
    "a branch in a period": {"set": "branch:DESA2", "from_": "2024-01-03",
                             "until": "2024-01-06"},
    "deleted works only, by date": {"from_": "2024-01-08"},
}


@pytest.mark.parametrize("args", CASES.values(), ids=CASES.keys())
async def test_selective_harvest_gives_exactly_the_selection(
        oai: OaiClient, catalogue: Catalogue, args: dict[str, str]) -> None:
    expected = _expected(catalogue, args.get("from_"), args.get("until"), args.get("set"))
    assert expected, "the case must select something"
    assert await _harvest(oai, **args) == expected


async def test_selective_list_records_matches_list_identifiers(oai: OaiClient) -> None:
    args = {"set": "kind:village", "from_": "2024-01-02"}
    assert (await _harvest(oai, "ListRecords", **args)) == await _harvest(oai, **args)


async def test_until_as_a_day_includes_the_whole_day(oai: OaiClient,
                                                     catalogue: Catalogue) -> None:
    on_the_day = [r for r in catalogue.records
                  if r.datestamp.date() == datetime(2024, 1, 3).date()]
    assert len(on_the_day) > 3 and max(r.datestamp for r in on_the_day).hour >= 22
    whole_day = await _harvest(oai, from_="2024-01-03", until="2024-01-03")
    assert whole_day == [identifier(r.work_id) for r in
                         sorted(on_the_day, key=lambda r: (r.datestamp, r.work_id))]
    midnight = await _harvest(oai, from_="2024-01-03T00:00:00Z",
                              until="2024-01-03T00:00:00Z")
    assert len(midnight) < len(whole_day)


async def test_bounds_are_inclusive(oai: OaiClient, catalogue: Catalogue) -> None:
    stamp = catalogue.by_id["w00031"].datestamp
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    from_on = await _harvest(oai, from_=text)
    until_on = await _harvest(oai, until=text)
    assert identifier("w00031") in from_on and identifier("w00031") in until_on
    assert len(from_on) + len(until_on) == len(catalogue.records) + 3  # the tie group


async def test_the_set_hierarchy_parent_is_the_union_of_its_children(
        oai: OaiClient) -> None:
    children = set()
    for code in ("KOTA", "DESA1", "DESA2", "DESA3"):
        children |= set(await _harvest(oai, set=f"branch:{code}"))
    assert set(await _harvest(oai, set="branch")) == children


async def test_headers_list_the_work_sets(oai: OaiClient, catalogue: Catalogue) -> None:
    response = await oai.get(verb="GetRecord", metadataPrefix="oai_dc",
                             identifier=identifier("w00030"))
    specs = [e.text for e in response.root.iterfind(".//oai:header/oai:setSpec", NS)]
    assert specs == list(catalogue.by_id["w00030"].sets)
    assert {"branch:KOTA", "branch:DESA1", "branch:DESA2", "kind:city",
            "kind:village"} <= set(specs)


def test_the_test_catalogue_has_local_works(catalogue: Catalogue) -> None:
    assert 0 < sum("local" in r.sets for r in catalogue.records) < len(catalogue.records)
    assert datetime(2024, 1, 1, tzinfo=UTC) == min(r.datestamp for r in catalogue.records)
