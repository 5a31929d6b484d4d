"""The feed's sets: per branch, per kind of branch, per format, and local; ListSets."""

from __future__ import annotations

from tests.union.feed.conftest import Catalogue
from tests.union.feed.oai_client import NS, OaiClient
from tests.union.feed.sqlite_repository import BRANCHES
from union.feed.sets import federation_sets, in_set, record_sets


async def test_list_sets_announces_parents_and_children(oai: OaiClient) -> None:
    response = await oai.get(verb="ListSets")
    sets = {s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
            for s in response.root.iterfind(".//oai:set", NS)}
    assert sets["branch:KOTA"] == "Perpustakaan Kota Lubuklinggau"
    for parent in ("branch", "kind", "format", "local"):
        assert parent in sets
    assert {"kind:city", "kind:village"} <= set(sets)
    assert response.token is None  # few sets: one response


async def test_the_local_set_is_described_in_dublin_core(oai: OaiClient) -> None:
    response = await oai.get(verb="ListSets")
    (local,) = [s for s in response.root.iterfind(".//oai:set", NS)
                if s.findtext("oai:setSpec", namespaces=NS) == "local"]
    assert "Java" in local.findtext(".//dc:description", namespaces=NS)


def test_every_set_of_a_work_is_announced(catalogue: Catalogue) -> None:
    announced = {s.spec for s in catalogue.repository.list_sets()}
    used = {spec for record in catalogue.records for spec in record.sets}
    assert used <= announced


def test_record_sets_of_a_work_held_by_a_city_and_a_village_library() -> None:
    specs = record_sets("book", [("KOTA", "city"), ("DESA1", "village"),
                                 ("DESA2", "village")], local=True)
    assert specs == ("branch:DESA1", "branch:DESA2", "branch:KOTA", "format:book",
                     "kind:city", "kind:village", "local")


def test_a_set_contains_its_children_but_not_its_namesakes() -> None:
    specs = ("branch:KOTA", "format:book")
    assert in_set("branch", specs) and in_set("branch:KOTA", specs)
    assert not in_set("branch:KOT", specs) and not in_set("bran", specs)
    assert not in_set("branch:KOTA:lantai1", specs)


def test_federation_sets_list_branches_kinds_formats_and_local() -> None:
    specs = [s.spec for s in federation_sets(BRANCHES, ["book", "map", "book"], "Java")]
    assert specs == ["branch", "branch:KOTA", "branch:DESA1", "branch:DESA2", "branch:DESA3",
                     "kind", "kind:city", "kind:village", "format", "format:book",
                     "format:map", "local"]
