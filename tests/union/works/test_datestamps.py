"""A work's datestamp moves exactly when its output would change (members, descriptions,
holdings), and every such change is in the change log for the search index and the
OAI-PMH feed."""

from __future__ import annotations

import pymarc
from sqlalchemy import select

from tests.union.works.conftest import T0, Catalogue, branch_copy, loc_record
from union.store.models import WorkRow


def harvested_twice(catalogue: Catalogue) -> int:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA2", branch_copy(book, "DESA2", "A-1"))
    catalogue.update()
    work = catalogue.work_of("KOTA:K-1")
    assert work is not None
    return work


def test_a_new_work_is_logged_with_the_time_of_the_update(catalogue: Catalogue) -> None:
    work = harvested_twice(catalogue)
    assert catalogue.row(work).datestamp == T0
    assert catalogue.work_changes() == [(work, "upsert")]


def test_reingesting_unchanged_records_changes_no_work(catalogue: Catalogue) -> None:
    work = harvested_twice(catalogue)
    logged = catalogue.work_changes()
    catalogue.tick()
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA2", branch_copy(book, "DESA2", "A-1"))
    report = catalogue.update()
    assert report.changed == 0
    assert catalogue.row(work).datestamp == T0
    assert catalogue.work_changes() == logged


def test_changed_holdings_bump_the_datestamp(catalogue: Catalogue) -> None:
    work = harvested_twice(catalogue)
    later = catalogue.tick()
    catalogue.ingest("DESA2", branch_copy(loc_record(3), "DESA2", "A-1", copies=3))
    catalogue.update()
    row = catalogue.row(work)
    assert row.datestamp == later
    assert [len(h["items"]) for h in row.display["holdings"]] == [1, 3]
    assert catalogue.work_changes()[-1] == (work, "upsert")


def test_a_change_the_display_does_not_show_keeps_the_datestamp(catalogue: Catalogue) -> None:
    work = harvested_twice(catalogue)
    catalogue.tick()
    record = branch_copy(loc_record(3), "DESA2", "A-1")
    # The record's own transaction stamp changes (a new content hash, so a change is
    # logged), but nothing the work shows.
    record.add_ordered_field(pymarc.Field(tag="005", data="20261123080000.0"))
    catalogue.ingest("DESA2", record)
    catalogue.update()
    assert catalogue.row(work).datestamp == T0


def test_a_member_leaving_bumps_the_datestamp(catalogue: Catalogue) -> None:
    work = harvested_twice(catalogue)
    later = catalogue.tick()
    catalogue.delete("DESA2", "A-1")
    catalogue.update()
    assert catalogue.row(work).datestamp == later
    assert catalogue.row(work).display["members"] == [["KOTA", "K-1"]]


def test_an_update_with_nothing_to_do_does_nothing(catalogue: Catalogue) -> None:
    harvested_twice(catalogue)
    catalogue.tick()
    report = catalogue.update()
    assert report.mode == "none"


def test_a_new_work_is_found_from_its_own_datestamp(catalogue: Catalogue) -> None:
    # New works are written in bulk and changed ones one by one: both must store the
    # time alike, or a harvester asking from a work's own datestamp would miss it.
    created = harvested_twice(catalogue)
    changed_at = catalogue.tick()
    catalogue.ingest("DESA2", branch_copy(loc_record(3), "DESA2", "A-1", copies=2))
    catalogue.ingest("KOTA", branch_copy(loc_record(5), "KOTA", "K-5"))
    catalogue.update()
    new = catalogue.work_of("KOTA:K-5")
    with catalogue.store.read() as session:
        since = set(session.scalars(select(WorkRow.id).where(WorkRow.datestamp >= changed_at)))
        at = set(session.scalars(select(WorkRow.id).where(WorkRow.datestamp == changed_at)))
    assert since == at == {created, new}
