"""Availability: which copies of a work are on the shelf now, per branch, from the
harvested item statuses and the sync custody states. Display records are built from real
LoC records by the clusterer's own :func:`display_record`."""

from __future__ import annotations

import dataclasses

import pytest

from tests.support.loc import loc
from union.availability import (
    BranchAvailability,
    available_branches,
    branch_availability,
    status_available,
)
from union.bib_record import Item
from union.works.display import Member, display_record

# "Reformasi ekonomi politik" (Yusran, 1999), as two branches catalogue it.
LCCN = "00280718"


def display(*holdings: tuple[str, tuple[Item, ...]]) -> dict:
    bib = loc(LCCN)
    members = [Member(n, code, f"{code}-{n}", dataclasses.replace(bib, items=items))
               for n, (code, items) in enumerate(holdings, start=1)]
    return display_record(members, ("KOTA", "DESA1", "DESA2", "DESA3"))


@pytest.mark.parametrize("status", [
    None, "", "available", "Available", "Tersedia", "TERSEDIA", "Not Charged", "0",
    "on shelf", "On_Shelf", "Check shelf"])
def test_statuses_meaning_on_the_shelf_are_available(status: str | None) -> None:
    assert status_available(status)


@pytest.mark.parametrize("status", [
    "on_loan", "Dipinjam", "Checked out", "Charged", "missing", "Hilang", "not_for_loan",
    "Tidak Dipinjamkan", "Dalam Perbaikan", "Rusak", "In transit", "Dalam Pengolahan",
    "Withdrawn", "Lost", "R", "NL", "MIS"])
def test_every_other_status_is_not_available(status: str) -> None:
    assert not status_available(status)


def test_copies_are_counted_per_branch_in_display_order() -> None:
    work = display(
        ("KOTA", (Item("K1", status="Tersedia"), Item("K2", status="Dipinjam"))),
        ("DESA1", (Item("D1", status="on_loan"),)),
    )
    assert branch_availability(work) == (
        BranchAvailability("KOTA", 1, 2), BranchAvailability("DESA1", 0, 1))
    assert available_branches(work) == ("KOTA",)


def test_a_copy_without_a_status_is_on_the_shelf() -> None:
    work = display(("DESA2", (Item("D2-1"), Item("D2-2"))))
    assert branch_availability(work) == (BranchAvailability("DESA2", 2, 2),)


def test_a_branch_record_without_item_lines_is_one_copy_on_the_shelf() -> None:
    work = display(("DESA3", ()))
    assert branch_availability(work) == (BranchAvailability("DESA3", 1, 1),)


def test_custody_overrides_the_harvested_status() -> None:
    work = display(("KOTA", (Item("K1", status="available"), Item("K2", status="on_loan"))))
    custody = {("KOTA", "K1"): "in_transit", ("KOTA", "K2"): "on_shelf"}
    assert branch_availability(work, custody) == (BranchAvailability("KOTA", 1, 2),)


def test_custody_is_keyed_by_the_owning_branch_too() -> None:
    work = display(("KOTA", (Item("X1"),)), ("DESA1", (Item("X1"),)))
    custody = {("DESA1", "X1"): "reserved"}
    assert available_branches(work, custody) == ("KOTA",)


def test_a_copy_the_sync_has_not_seen_keeps_its_harvested_status() -> None:
    work = display(("KOTA", (Item("K1", status="Dipinjam"), Item(None, status=None))))
    custody = {("KOTA", "K9"): "on_shelf"}
    assert branch_availability(work, custody) == (BranchAvailability("KOTA", 1, 2),)
