"""The feed follows the catalogue: merges and deletions become deleted records for ever,
changed works get the datestamp of the change, and a branch whose kind changes in the
federation file re-stamps exactly the works it holds."""

from __future__ import annotations

from pathlib import Path

import pymarc
from sqlalchemy import select

from tests.support.paths import REPO
from tests.union.feed.oai_client import NS
from tests.union.feed.store.conftest import DemoFeed
from union.cli import main
from union.config import load_federation
from union.feed.datestamps import format_utc
from union.store.feed_models import FeedRecordRow
from union.works.reading import live_works


def _single_member_works(demo: DemoFeed, code: str) -> list[tuple[int, str]]:
    """(work id, local id) of works whose only member is a record of branch ``code``."""
    with demo.store.read() as session:
        return [(wid, members[0][1]) for wid, members in live_works(session)
                if len(members) == 1 and members[0][0] == code]


def _header(demo: DemoFeed, work_id: int) -> str:
    return f"oai:{demo.federation.union.oai_domain}:{work_id}"


def _identifiers(demo: DemoFeed, query: str) -> list[str]:
    root = demo.ask(query)
    return [h.findtext("oai:identifier", namespaces=NS) for h in root.iterfind(".//oai:header",
                                                                                NS)]


def _stamps(demo: DemoFeed) -> dict[int, object]:
    with demo.store.read() as session:
        return dict(session.execute(select(FeedRecordRow.work_id,
                                           FeedRecordRow.datestamp)).all())


def test_a_merged_work_stays_a_deleted_header_and_its_survivor_is_restamped(
        demo: DemoFeed) -> None:
    (first, first_local), (second, second_local) = _single_member_works(demo, "DESA3")[:2]
    config = str(demo.federation.path)
    assert main(["--config", config, "works", "same", f"DESA3:{first_local}",
                 f"DESA3:{second_local}"]) == 0
    changed_at = demo.clock.advance(minutes=5)
    report = demo.refresh()
    assert (report.published, report.deleted) == (1, 1)
    since = format_utc(changed_at)
    assert sorted(_identifiers(demo, f"verb=ListIdentifiers&metadataPrefix=oai_dc&from={since}"
                               )) == sorted([_header(demo, first), _header(demo, second)])
    root = demo.ask(f"verb=GetRecord&identifier={_header(demo, second)}&metadataPrefix=marc21")
    header = root.find(".//oai:header", NS)
    assert header.get("status") == "deleted"
    assert root.find(".//oai:metadata", NS) is None
    assert "branch:DESA3" in [s.text for s in header.iterfind("oai:setSpec", NS)]
    # Still deleted after later refreshes: deletions are persistent.
    demo.clock.advance(days=30)
    demo.refresh()
    again = demo.ask(f"verb=GetRecord&identifier={_header(demo, second)}&metadataPrefix=oai_dc")
    assert again.find(".//oai:header", NS).get("status") == "deleted"


def test_a_record_withdrawn_by_its_branch_makes_a_deleted_header_in_its_old_sets(
        demo: DemoFeed, tmp_path: Path) -> None:
    work_id, local_id = _single_member_works(demo, "DESA3")[0]
    source = REPO / "config" / "catalogues" / "desa-petanang.mrc"
    shorter = tmp_path / "desa3.mrc"
    kept = 0
    with source.open("rb") as stream, shorter.open("wb") as out:
        for record in pymarc.MARCReader(stream, to_unicode=True, force_utf8=True):
            if record["001"].data.strip() != local_id:
                out.write(record.as_marc())
                kept += 1
    config = demo.federation.path
    config.write_text(config.read_text().replace(str(source), str(shorter)))
    assert main(["--config", str(config), "harvest", "--source", "DESA3"]) == 0
    gone_at = demo.clock.advance(minutes=5)
    assert demo.refresh().deleted == 1
    query = (f"verb=ListRecords&metadataPrefix=marc21&set=branch:DESA3"
             f"&from={format_utc(gone_at)}")
    root = demo.ask(query)
    records = root.findall(".//oai:record", NS)
    assert [r.findtext(".//oai:identifier", namespaces=NS) for r in records] == [
        _header(demo, work_id)]
    assert records[0].find("oai:header", NS).get("status") == "deleted"
    assert kept > 0


def test_a_branch_changing_kind_restamps_exactly_the_works_it_holds(demo: DemoFeed) -> None:
    before = _stamps(demo)
    held = {int(i.rsplit(":", 1)[1]) for i in _identifiers_all(demo, "branch:DESA2")}
    config = demo.federation.path
    text = config.read_text()
    start = text.index('code = "DESA2"')
    config.write_text(text[:start] + text[start:].replace('kind = "village"', 'kind = "city"',
                                                          1))
    demo.federation = load_federation(config, {})
    changed_at = demo.clock.advance(minutes=5)
    assert demo.refresh().published == len(held) > 0
    after = _stamps(demo)
    assert {w for w in after if after[w] != before[w]} == held
    assert all(after[w] == changed_at for w in held)
    city = {int(i.rsplit(":", 1)[1]) for i in _identifiers_all(demo, "kind:city")}
    assert held <= city


def test_a_re_sent_token_returns_the_same_page_while_the_catalogue_changes(
        demo: DemoFeed) -> None:
    first = demo.ask("verb=ListIdentifiers&metadataPrefix=oai_dc")
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    page = _identifiers(demo, f"verb=ListIdentifiers&resumptionToken={token}")
    # Two works outside the page are merged meanwhile (both get a new datestamp). Which
    # works the page holds depends on which branch's harvest committed first, so any
    # branch's single-record works will do.
    outside = [(code, local) for code in ("KOTA", "DESA1", "DESA2", "DESA3")
               for w, local in _single_member_works(demo, code)
               if _header(demo, w) not in page]
    one, other = outside[-2:]
    assert main(["--config", str(demo.federation.path), "works", "same", ":".join(one),
                 ":".join(other)]) == 0
    demo.clock.advance(seconds=30)
    demo.refresh()
    assert _identifiers(demo, f"verb=ListIdentifiers&resumptionToken={token}") == page


def test_an_altered_token_is_a_bad_resumption_token(demo: DemoFeed) -> None:
    first = demo.ask("verb=ListRecords&metadataPrefix=marc21")
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    root = demo.ask(f"verb=ListRecords&resumptionToken={altered}")
    assert [e.get("code") for e in root.iterfind("oai:error", NS)] == ["badResumptionToken"]


def test_the_last_page_has_an_empty_token_with_the_complete_size(demo: DemoFeed) -> None:
    query = "verb=ListIdentifiers&metadataPrefix=oai_dc"
    seen = 0
    while True:
        root = demo.ask(query)
        token = root.find(".//oai:resumptionToken", NS)
        assert int(token.get("cursor")) == seen
        seen += len(root.findall(".//oai:header", NS))
        if not token.text:
            break
        query = f"verb=ListIdentifiers&resumptionToken={token.text}"
    assert int(token.get("completeListSize")) == seen == demo.works()


def test_the_token_secret_is_generated_once_and_kept_in_the_store(demo: DemoFeed) -> None:
    from union.feed.store_repository import token_secret

    first = token_secret(demo.store, demo.federation)
    assert len(first) >= 32
    assert token_secret(demo.store, demo.federation) == first


def _identifiers_all(demo: DemoFeed, spec: str) -> list[str]:
    found: list[str] = []
    query = f"verb=ListIdentifiers&metadataPrefix=oai_dc&set={spec}"
    while True:
        root = demo.ask(query)
        found += [h.findtext("oai:identifier", namespaces=NS)
                  for h in root.iterfind(".//oai:header", NS)]
        token = root.findtext(".//oai:resumptionToken", namespaces=NS)
        if not token:
            return found
        query = f"verb=ListIdentifiers&resumptionToken={token}"


