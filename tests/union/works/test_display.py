"""The merged display record (pure): the best member's description, every member's
identifiers and subjects, every branch's holdings."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from union.bib_record import BibRecord, Item
from union.works.display import (
    Member,
    best_member,
    display_hash,
    display_record,
    display_text,
)

FULL = BibRecord(
    title="Ketika jenderal pulang", subtitle="kumpulan cerpen", responsibility="Khairul Jasmi",
    publisher="Citra Budaya Indonesia", place="Padang", year=2000,
    isbns=("9789799583000",), subjects=("Short stories, Indonesian",), extent="xxii, 96 p.",
    languages=("ind",), items=(Item(barcode="K-1"),),
)
SLIMS = BibRecord(title="KETIKA JENDERAL PULANG", publisher="Citra Budaya", year=2000,
                  subjects=("Cerita pendek", "short stories, indonesian"),
                  items=(Item(barcode="D-1"), Item(barcode="D-2")))


def test_the_most_complete_member_is_shown() -> None:
    members = [Member(2, "DESA1", "D-1", SLIMS), Member(1, "KOTA", "K-1", FULL)]
    assert best_member(members).branch == "KOTA"
    assert display_record(members)["title"] == "Ketika jenderal pulang"


def test_a_title_in_capitals_loses_to_an_equally_complete_one() -> None:
    capitals = replace(FULL, title=FULL.title.upper(), subtitle=FULL.subtitle.upper())
    members = [Member(1, "KOTA", "K-1", capitals), Member(2, "DESA1", "D-1", FULL)]
    assert best_member(members, ["KOTA", "DESA1"]).branch == "DESA1"


def test_branch_priority_breaks_ties() -> None:
    members = [Member(1, "DESA1", "D-1", FULL), Member(2, "KOTA", "K-1", FULL)]
    assert best_member(members, ["KOTA", "DESA1"]).branch == "KOTA"
    assert best_member(members, ["DESA1", "KOTA"]).branch == "DESA1"
    assert best_member(members).branch == "DESA1"  # no priority: the record first seen


def test_identifiers_and_subjects_are_the_union_of_the_members() -> None:
    other = replace(SLIMS, isbns=("9789799583017",))
    display = display_record([Member(1, "KOTA", "K-1", FULL), Member(2, "DESA1", "D-1", other)],
                             ["KOTA"])
    assert display["isbns"] == ["9789799583000", "9789799583017"]
    # Subjects folded alike count once: the best member's form is kept.
    assert display["subjects"] == ["Short stories, Indonesian", "Cerita pendek"]


def test_holdings_list_every_branch_with_its_copies() -> None:
    display = display_record([Member(2, "DESA1", "D-1", SLIMS), Member(1, "KOTA", "K-1", FULL)],
                             ["KOTA", "DESA1"])
    assert [(h["branch"], [i["barcode"] for i in h["items"]]) for h in display["holdings"]] == [
        ("KOTA", ["K-1"]), ("DESA1", ["D-1", "D-2"])]
    assert display["branches"] == ["KOTA", "DESA1"]
    assert display["members"] == [["DESA1", "D-1"], ["KOTA", "K-1"]]


def test_the_display_record_reads_back_as_a_bib_record() -> None:
    display = display_record([Member(1, "KOTA", "K-1", FULL), Member(2, "DESA1", "D-1", SLIMS)])
    merged = BibRecord.from_dict(display)
    assert (merged.title, merged.isbns, merged.items) == (FULL.title, FULL.isbns, ())


def test_equal_displays_have_equal_hashes_and_a_change_changes_it() -> None:
    members = [Member(1, "KOTA", "K-1", FULL)]
    assert display_hash(display_record(members)) == display_hash(display_record(members))
    more = [Member(1, "KOTA", "K-1", replace(FULL, items=(*FULL.items, Item(barcode="K-2"))))]
    assert display_hash(display_record(members)) != display_hash(display_record(more))


def test_the_stored_text_is_canonical_json_and_the_digest_its_sha256() -> None:
    # Stored digests compare displays across versions: the text must stay canonical JSON
    # (keys sorted, no spaces, other scripts as written).
    record = replace(FULL, subtitle="kumpulan cerpen — Kurdî \u201cpilihan\u201d\n")
    display = display_record([Member(1, "KOTA", "K-1", record), Member(2, "DESA1", "D-1", SLIMS)])
    text, digest = display_text(display)
    assert text == json.dumps(display, sort_keys=True, ensure_ascii=False,
                              separators=(",", ":"))
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
