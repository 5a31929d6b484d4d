"""What an incremental update keeps of a re-harvested record's keys and matches: what
did not change stays as it was, what changed is replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.union.works.conftest import Catalogue, branch_copy, loc_record
from union.store.models import MatchEvidenceRow, MatchKeyRow
from union.works.candidates import record_keys
from union.works.store_ops import load_members


def decided_at(catalogue: Catalogue, a: str, b: str) -> datetime | None:
    """When the stored match between records "CODE:local-id" ``a`` and ``b`` was decided."""
    low, high = sorted((catalogue.record_id(a), catalogue.record_id(b)))
    with catalogue.store.read() as session:
        return session.scalar(select(MatchEvidenceRow.decided_at).where(
            MatchEvidenceRow.record_a == low, MatchEvidenceRow.record_b == high))


def stored_keys(catalogue: Catalogue, name: str) -> set[str]:
    """The blocking keys stored for record "CODE:local-id"."""
    rid = catalogue.record_id(name)
    with catalogue.store.read() as session:
        return set(session.scalars(select(MatchKeyRow.key)
                                   .where(MatchKeyRow.source_record_id == rid)))


def described_keys(catalogue: Catalogue, name: str) -> set[str]:
    """The blocking keys of record "CODE:local-id" as it is described now."""
    rid = catalogue.record_id(name)
    with catalogue.store.read() as session:
        _, member = load_members(session, [rid])[rid]
    return set(record_keys(member.bib))


def test_a_match_decided_again_on_the_same_evidence_keeps_the_time_it_was_first_decided(
        catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    first = catalogue.tick()
    catalogue.update()
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", copies=2))  # a new copy
    assert catalogue.update().mode == "incremental"
    assert decided_at(catalogue, "KOTA:K-1", "DESA1:D-1") == first


def test_a_match_decided_on_changed_evidence_is_stored_anew(catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", keep_lccn=False))
    catalogue.tick()
    catalogue.update()
    second = catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))  # its LCCN catalogued now
    assert catalogue.update().mode == "incremental"
    assert decided_at(catalogue, "KOTA:K-1", "DESA1:D-1") == second


def test_a_retitled_record_holds_exactly_the_keys_of_its_new_description(
        catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    before = stored_keys(catalogue, "DESA1:D-1")
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", title="Hikayat Hang Tuah"))
    catalogue.update()
    assert stored_keys(catalogue, "DESA1:D-1") == described_keys(catalogue, "DESA1:D-1")
    assert stored_keys(catalogue, "DESA1:D-1") != before


def test_a_record_with_a_new_copy_keeps_its_keys(catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    before = stored_keys(catalogue, "DESA1:D-1")
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", copies=3))
    catalogue.update()
    assert stored_keys(catalogue, "DESA1:D-1") == before == described_keys(catalogue, "DESA1:D-1")


def test_a_new_copy_at_a_branch_shows_in_its_work(catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", copies=3))
    report = catalogue.update()
    work = catalogue.work_of("DESA1:D-1")
    assert work is not None and work == catalogue.work_of("KOTA:K-1")
    holdings = catalogue.row(work).display["holdings"]
    assert sorted(len(h["items"]) for h in holdings if h["branch"] == "DESA1") == [3]
    assert (report.changed, report.created) == (1, 0)
