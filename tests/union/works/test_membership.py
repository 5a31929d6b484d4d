"""Which records make one work: the same book held by several branches is one work with
every branch's holdings; different books stay apart, even under one ISBN; a work holds
at most one record per source unless the source itself holds duplicates.

Real LoC records of Indonesian books, in a real SQLite file and a real PostgreSQL.
"""

from __future__ import annotations

from tests.union.works.conftest import Catalogue, branch_copy, loc_record


def test_same_book_from_two_branches_is_one_work_with_both_holdings(
        catalogue: Catalogue) -> None:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1", copies=2))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", keep_lccn=False))
    catalogue.update()
    work = catalogue.work_of("KOTA:K-1")
    assert work is not None
    assert catalogue.works()[work] == ["DESA1:D-1", "KOTA:K-1"]
    holdings = catalogue.row(work).display["holdings"]
    assert {h["branch"]: len(h["items"]) for h in holdings} == {"KOTA": 2, "DESA1": 1}


def test_different_books_are_different_works(catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", branch_copy(loc_record(2), "KOTA", "K-1"),
                     branch_copy(loc_record(3), "KOTA", "K-2"))
    catalogue.update()
    assert len(catalogue.works()) == 2


def test_reused_isbn_with_different_titles_is_two_works(catalogue: Catalogue) -> None:
    # A publisher printed one ISBN in two different books.
    catalogue.ingest("KOTA", branch_copy(loc_record(3), "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(loc_record(5), "DESA1", "D-1",
                                          isbns=["9799583004"], keep_lccn=False))
    catalogue.update()
    assert catalogue.work_of("KOTA:K-1") != catalogue.work_of("DESA1:D-1")


def test_a_work_holds_one_record_per_source(catalogue: Catalogue) -> None:
    # The city catalogued the book twice, under different ISBNs and page counts (too
    # little alike to be judged the same), the village once with both ISBNs: the village
    # record matches each city record, but one work may take only one of them.
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1", isbns=["9799583004"],
                                         keep_lccn=False),
                     branch_copy(book, "KOTA", "K-2", isbns=["9798692462"], keep_lccn=False,
                                 pages="xxii, 140 p. ;"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1",
                                          isbns=["9799583004", "9798692462"],
                                          keep_lccn=False))
    catalogue.update()
    assert catalogue.work_of("KOTA:K-1") != catalogue.work_of("KOTA:K-2")
    assert catalogue.work_of("DESA1:D-1") in (catalogue.work_of("KOTA:K-1"),
                                              catalogue.work_of("KOTA:K-2"))


def test_a_source_holding_a_duplicate_keeps_both_in_the_work(catalogue: Catalogue) -> None:
    # The city holds the same record twice (catalogued twice alike): that is the source's
    # own duplicate, and the work takes both with the village's copy.
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"), branch_copy(book, "KOTA", "K-2"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    assert list(catalogue.works().values()) == [["DESA1:D-1", "KOTA:K-1", "KOTA:K-2"]]


def test_every_live_record_is_in_exactly_one_work(catalogue: Catalogue) -> None:
    records = [branch_copy(loc_record(n), "KOTA", f"K-{n}") for n in range(30)]
    catalogue.ingest("KOTA", *records)
    catalogue.ingest("DESA2", *[branch_copy(loc_record(n), "DESA2", f"D-{n}")
                                for n in range(0, 30, 3)])
    catalogue.update()
    members = [m for ms in catalogue.works().values() for m in ms]
    assert sorted(members) == sorted({*members})
    assert len(members) == 40
