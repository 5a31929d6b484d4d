"""Work ids are stable: a work keeps its id while its members come and go, a merge keeps
the oldest id and remembers the merged-away one (it answers with the survivor), a split
mints a new id for the part that leaves, and a work with no member left is deleted.
"""

from __future__ import annotations

from tests.union.works.conftest import Catalogue, branch_copy, loc_record
from union.works import resolve_work


def two_branch_work(catalogue: Catalogue) -> int:
    book = loc_record(2)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    work = catalogue.work_of("KOTA:K-1")
    assert work is not None and catalogue.work_of("DESA1:D-1") == work
    return work


def test_deleting_a_member_shrinks_the_work_and_keeps_its_id(catalogue: Catalogue) -> None:
    work = two_branch_work(catalogue)
    catalogue.tick()
    catalogue.delete("DESA1", "D-1")
    catalogue.update()
    assert catalogue.works() == {work: ["KOTA:K-1"]}


def test_deleting_every_member_deletes_the_work(catalogue: Catalogue) -> None:
    work = two_branch_work(catalogue)
    catalogue.tick()
    catalogue.delete("DESA1", "D-1")
    catalogue.delete("KOTA", "K-1")
    report = catalogue.update()
    assert report.deleted == 1
    assert catalogue.works() == {}
    assert catalogue.row(work).status == "deleted"
    assert (work, "delete") in catalogue.work_changes()


def test_a_member_that_no_longer_matches_splits_off_under_a_new_id(
        catalogue: Catalogue) -> None:
    work = two_branch_work(catalogue)
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(loc_record(2), "DESA1", "D-1",
                                          title="Sejarah daerah Sumatera Selatan"))
    report = catalogue.update()
    assert catalogue.work_of("KOTA:K-1") == work
    split = catalogue.work_of("DESA1:D-1")
    assert split is not None and split > work
    assert report.created == 1


def test_merge_keeps_the_oldest_id_and_redirects_the_other(catalogue: Catalogue) -> None:
    book = loc_record(2)
    # The city's record is first catalogued with a wrong title, so it does not match
    # the village's copy, which arrives later and gets the newer id.
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1", title="Judul salah ketik"))
    catalogue.update()
    older = catalogue.work_of("KOTA:K-1")
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    newer = catalogue.work_of("DESA1:D-1")
    assert older is not None and newer is not None and older < newer
    catalogue.tick()
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))  # the title is corrected
    report = catalogue.update()
    assert catalogue.works() == {older: ["DESA1:D-1", "KOTA:K-1"]}
    assert report.merged == 1
    assert catalogue.row(newer).status == "merged"
    assert catalogue.row(newer).merged_into == older
    with catalogue.store.read() as session:
        resolved = resolve_work(session, newer)
    assert resolved is not None
    assert (resolved.work.id, resolved.redirected) == (older, True)


def test_a_merged_away_id_follows_later_merges(catalogue: Catalogue) -> None:
    book = loc_record(2)
    names = [("KOTA", "K-1"), ("DESA1", "D-1"), ("DESA2", "A-1")]
    for n, (code, local) in enumerate(names):
        catalogue.ingest(code, branch_copy(book, code, local, title=f"Judul salah {n} x"))
        catalogue.update()
        catalogue.tick()
    first, second, third = (catalogue.work_of(f"{c}:{i}") for c, i in names)
    catalogue.ingest("DESA2", branch_copy(book, "DESA2", "A-1", title="Judul salah 1 x"))
    catalogue.update()  # the third joins the second
    catalogue.tick()
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1", title="Judul salah 1 x"))
    catalogue.update()  # the first (oldest) takes them all
    assert catalogue.row(third).merged_into == first
    assert catalogue.row(second).merged_into == first
    with catalogue.store.read() as session:
        resolved = resolve_work(session, third)
    assert resolved is not None and resolved.work.id == first


def test_an_unrelated_change_leaves_other_work_ids_alone(catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", *[branch_copy(loc_record(n), "KOTA", f"K-{n}") for n in range(6)])
    catalogue.update()
    before = catalogue.works()
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(loc_record(3), "DESA1", "D-3"))
    catalogue.update()
    after = catalogue.works()
    assert {w: m for w, m in after.items() if "KOTA:K-3" not in m} == {
        w: m for w, m in before.items() if "KOTA:K-3" not in m}
    assert after[catalogue.work_of("KOTA:K-3") or 0] == ["DESA1:D-3", "KOTA:K-3"]


def test_a_full_rebuild_keeps_every_work_id(catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", *[branch_copy(loc_record(n), "KOTA", f"K-{n}") for n in range(12)])
    catalogue.ingest("DESA3", *[branch_copy(loc_record(n), "DESA3", f"P-{n}")
                                for n in range(0, 12, 2)])
    catalogue.update()
    before = catalogue.works()
    catalogue.tick()
    report = catalogue.update(rebuild=True)
    assert report.mode == "rebuild"
    assert catalogue.works() == before
    assert (report.created, report.changed, report.merged, report.deleted) == (0, 0, 0, 0)


def test_incremental_updates_end_where_a_rebuild_does(catalogue: Catalogue) -> None:
    # Records arrive one branch at a time, with edits and deletions between.
    for code, prefix, numbers in (("KOTA", "K", range(0, 20)), ("DESA1", "D", range(10, 30)),
                                  ("DESA2", "A", range(5, 25, 2))):
        catalogue.ingest(code, *[branch_copy(loc_record(n), code, f"{prefix}-{n}")
                                 for n in numbers])
        catalogue.update()
        catalogue.tick()
    catalogue.delete("KOTA", "K-12", "K-13")
    catalogue.ingest("DESA1", branch_copy(loc_record(11), "DESA1", "D-11", title="Lain sekali"))
    catalogue.update()
    incremental = sorted(catalogue.works().values())
    catalogue.tick()
    catalogue.update(rebuild=True)
    assert sorted(catalogue.works().values()) == incremental
