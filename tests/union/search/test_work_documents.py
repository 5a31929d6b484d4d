"""The search document of a work, from its merged display record (real LoC records, the
clusterer's own display record, the demo federation's local region)."""

from __future__ import annotations

import dataclasses

from tests.support.loc import loc
from tests.support.paths import REPO
from union.bib_record import Item
from union.config import load_federation
from union.local_content import LocalMatcher
from union.search.work_documents import work_document
from union.works.display import Member, display_record

MATCHER = LocalMatcher(load_federation(REPO / "config" / "demo.toml", {}).local)
REFORMASI = "00280718"  # Reformasi ekonomi politik (Yusran, 1999)


def work(lccn: str, *holdings: tuple[str, tuple[Item, ...]], **changes: object) -> dict:
    bib = dataclasses.replace(loc(lccn), **changes)  # type: ignore[arg-type]
    members = [Member(n, code, f"{code}-{n}", dataclasses.replace(bib, items=items))
               for n, (code, items) in enumerate(holdings, start=1)]
    return display_record(members, ("KOTA", "DESA1", "DESA2", "DESA3"))


def test_the_id_is_the_work_id_as_text() -> None:
    assert work_document(42, work(REFORMASI, ("KOTA", ())), MATCHER).id == "42"


def test_the_description_comes_from_the_display_record() -> None:
    bib = loc(REFORMASI)
    doc = work_document(1, work(REFORMASI, ("KOTA", ())), MATCHER)
    assert (doc.title, doc.year, doc.isbns, doc.publisher) == (
        bib.title, bib.year, bib.isbns, bib.publisher)
    assert doc.subjects == bib.subjects
    assert doc.authors[0] == "Yusran, Andi"


def test_the_main_entry_is_the_first_author() -> None:
    bib = loc(REFORMASI)
    agents = tuple(reversed(bib.agents)) if len(bib.agents) > 1 else bib.agents
    doc = work_document(1, work(REFORMASI, ("KOTA", ()), agents=agents), MATCHER)
    assert doc.authors[0] == next(a.name for a in bib.agents if a.main)


def test_branches_and_available_branches_follow_the_copies() -> None:
    display = work(REFORMASI, ("KOTA", (Item("K1", status="Dipinjam"),)),
                   ("DESA2", (Item("D1"), Item("D2", status="on_loan"))))
    doc = work_document(1, display, MATCHER)
    assert doc.branches == ("KOTA", "DESA2")
    assert doc.available_branches == ("DESA2",)
    assert doc.display_fields()["availability"] == [["KOTA", 0, 1], ["DESA2", 1, 2]]


def test_custody_states_move_availability() -> None:
    display = work(REFORMASI, ("KOTA", (Item("K1"),)))
    doc = work_document(1, display, MATCHER, {("KOTA", "K1"): "on_loan"})
    assert doc.available_branches == ()


def test_a_work_about_the_region_is_local() -> None:
    display = work(REFORMASI, ("KOTA", ()),
                   subjects=("Musi Rawas (Indonesia : Regency) -- History",))
    assert work_document(1, display, MATCHER).local


def test_a_work_about_elsewhere_is_not_local() -> None:
    assert not work_document(1, work(REFORMASI, ("KOTA", ())), MATCHER).local


def test_the_result_list_shows_edition_and_how_many_records_were_merged() -> None:
    display = work(REFORMASI, ("KOTA", ()), ("DESA1", ()))
    fields = work_document(1, display, MATCHER).display_fields()
    assert fields["edition"] == loc(REFORMASI).edition
    assert fields["members"] == 2
    assert fields["title"] == loc(REFORMASI).title
