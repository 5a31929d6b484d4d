"""The feed over the store's works: the harvested demo catalogue published over OAI-PMH,
on SQLite and on PostgreSQL; every response validated against oai-all.xsd."""

from __future__ import annotations

from collections import Counter

from lxml import etree
from sqlalchemy import select

from tests.union.feed.oai_client import NS
from tests.union.feed.store.conftest import DemoFeed
from union.feed.datestamps import format_utc
from union.feed.work_records import work_content
from union.local_content import LocalMatcher
from union.store.feed_models import FeedRecordRow
from union.store.models import WorkRow


def _list(demo: DemoFeed, verb: str, prefix: str = "oai_dc",
          **args: str) -> list[etree._Element]:
    """Every header or record of a complete list, following resumption tokens."""
    query = f"verb={verb}&metadataPrefix={prefix}" + "".join(
        f"&{'from' if k == 'from_' else k}={v}" for k, v in args.items())
    items: list[etree._Element] = []
    while True:
        root = demo.ask(query)
        if root.find("oai:error", NS) is not None:
            assert root.find("oai:error", NS).get("code") == "noRecordsMatch"
            return items
        element = root[2]
        items += list(element.iterchildren(f"{{{NS['oai']}}}header",
                                           f"{{{NS['oai']}}}record"))
        token = element.find("oai:resumptionToken", NS)
        if token is None or not token.text:
            return items
        query = f"verb={verb}&resumptionToken={token.text}"


def _ids(items: list[etree._Element]) -> list[str]:
    return [i.findtext(".//oai:identifier", namespaces=NS).rsplit(":", 1)[1] for i in items]


def _displays(demo: DemoFeed) -> dict[int, dict]:
    with demo.store.read() as session:
        rows = session.execute(select(WorkRow.id, WorkRow.display, WorkRow.display_hash)
                               .where(WorkRow.status == "live"))
        return {wid: work_content(d, h, demo.branches) for wid, d, h in rows}


def test_every_live_work_is_published_once_in_both_formats(demo: DemoFeed) -> None:
    live = demo.works("live")
    assert live > 300
    for prefix in ("oai_dc", "marc21"):
        records = _list(demo, "ListRecords", prefix)
        assert len(records) == live
        assert sorted(map(int, _ids(records))) == sorted(_displays(demo))


def test_identify_announces_persistent_deletions_seconds_and_the_earliest_datestamp(
        demo: DemoFeed) -> None:
    root = demo.ask("verb=Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    with demo.store.read() as session:
        earliest = min(session.scalars(select(FeedRecordRow.datestamp)))
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == format_utc(earliest)
    assert identify.findtext("oai:repositoryName", namespaces=NS) == demo.federation.union.name


def test_identifiers_are_the_work_ids_under_the_federations_domain(demo: DemoFeed) -> None:
    headers = _list(demo, "ListIdentifiers")
    domain = demo.federation.union.oai_domain
    assert all(h.findtext("oai:identifier", namespaces=NS).startswith(f"oai:{domain}:")
               for h in headers)
    work_id = _ids(headers)[0]
    root = demo.ask(f"verb=GetRecord&identifier=oai:{domain}:{work_id}&metadataPrefix=marc21")
    assert root.findtext(".//marc:controlfield[@tag='001']", namespaces=NS) == work_id


def test_marc21_has_an_852_for_every_copy_of_every_holding_branch(demo: DemoFeed) -> None:
    contents = _displays(demo)
    for record in _list(demo, "ListRecords", "marc21"):
        work = contents[int(_ids([record])[0])]
        fields = record.findall(".//marc:datafield[@tag='852']", NS)
        branches = Counter(f.findtext("marc:subfield[@code='a']", namespaces=NS)
                           for f in fields)
        assert branches == Counter({h.branch_code: max(1, len(h.items))
                                    for h in work.holdings})


def test_oai_dc_carries_only_dublin_core_elements(demo: DemoFeed) -> None:
    for record in _list(demo, "ListRecords", "oai_dc")[:100]:
        dc = record.find(".//oai_dc:dc", NS)
        assert {etree.QName(child).namespace for child in dc} == {NS["dc"]}


def test_sets_select_by_branch_kind_format_and_local_region(demo: DemoFeed) -> None:
    contents = _displays(demo)
    kinds = {b.code: b.kind for b in demo.federation.branches}
    matcher = LocalMatcher(demo.federation.local)
    with demo.store.read() as session:
        displays = dict(session.execute(select(WorkRow.id, WorkRow.display)
                                        .where(WorkRow.status == "live")).all())
    expected = {
        "branch:KOTA": {w for w, c in contents.items()
                        if any(h.branch_code == "KOTA" for h in c.holdings)},
        "kind:village": {w for w, c in contents.items()
                         if any(kinds[h.branch_code] == "village" for h in c.holdings)},
        "format:book": {w for w, c in contents.items() if c.bib.format == "book"},
        "local": {w for w, d in displays.items() if matcher.is_local(d)},
        "branch": set(contents),  # the parent set holds every work held anywhere
    }
    assert 0 < len(expected["local"]) < len(contents)
    for spec, works in expected.items():
        assert set(map(int, _ids(_list(demo, "ListIdentifiers", set=spec)))) == works, spec


def test_list_sets_names_every_branch_kind_format_and_the_local_set(demo: DemoFeed) -> None:
    root = demo.ask("verb=ListSets")
    specs = {s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
             for s in root.iterfind(".//oai:set", NS)}
    for branch in demo.federation.branches:
        assert specs[f"branch:{branch.code}"] == branch.name
    assert {"branch", "kind", "kind:city", "kind:village", "format", "format:book",
            "local"} <= set(specs)


def test_a_second_refresh_with_nothing_changed_changes_no_datestamp(demo: DemoFeed) -> None:
    with demo.store.read() as session:
        before = dict(session.execute(select(FeedRecordRow.work_id,
                                            FeedRecordRow.datestamp)).all())
    demo.clock.advance(days=1)
    assert demo.refresh().published == 0
    with demo.store.read() as session:
        after = dict(session.execute(select(FeedRecordRow.work_id,
                                           FeedRecordRow.datestamp)).all())
    assert after == before
