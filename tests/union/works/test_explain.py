"""``explain``: every work keeps the evidence of its matches, and staff can read why its
records were merged (or held apart), with Indonesian and English labels."""

from __future__ import annotations

from tests.union.works.conftest import PRIORITY, Catalogue, branch_copy, loc_record
from union.works import RecordName, explain_work, format_explanation, record_override


def merged_work(catalogue: Catalogue) -> int:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", keep_lccn=False))
    catalogue.update()
    work = catalogue.work_of("KOTA:K-1")
    assert work is not None
    return work


def explain_text(catalogue: Catalogue, work: int) -> str:
    with catalogue.store.read() as session:
        explanation = explain_work(session, work)
    assert explanation is not None
    return format_explanation(explanation)


def test_explain_shows_each_match_with_its_evidence(catalogue: Catalogue) -> None:
    text = explain_text(catalogue, merged_work(catalogue))
    assert "Cocok / match KOTA:K-1 = DESA1:D-1" in text
    assert "ISBN: shared [+4]" in text
    assert "Judul / title: exact" in text
    assert "9789799583000" in text


def test_explain_lists_the_members_with_their_titles(catalogue: Catalogue) -> None:
    text = explain_text(catalogue, merged_work(catalogue))
    assert "KOTA:K-1  Ketika jenderal pulang" in text
    assert "DESA1:D-1  Ketika jenderal pulang" in text


def test_explain_keeps_the_evidence_as_json(catalogue: Catalogue) -> None:
    work = merged_work(catalogue)
    with catalogue.store.read() as session:
        explanation = explain_work(session, work)
    assert explanation is not None
    data = explanation.to_dict()
    assert data["work"] == work
    [match] = data["matches"]
    assert match["decision"]["same"] is True
    assert {s["name"] for s in match["decision"]["evidence"]["signals"]} >= {"isbn", "title"}


def test_explain_of_a_merged_away_id_explains_the_survivor(catalogue: Catalogue) -> None:
    book = loc_record(3)
    catalogue.ingest("KOTA", branch_copy(book, "KOTA", "K-1"))
    catalogue.update()
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1", title="Judul lain"))
    catalogue.update()
    gone = catalogue.work_of("DESA1:D-1")
    catalogue.tick()
    catalogue.ingest("DESA1", branch_copy(book, "DESA1", "D-1"))
    catalogue.update()
    assert gone is not None
    text = explain_text(catalogue, gone)
    assert f"work {gone} was merged: {gone} -> {catalogue.work_of('KOTA:K-1')}" in text


def test_explain_shows_a_never_override_holding_records_apart(catalogue: Catalogue) -> None:
    work = merged_work(catalogue)
    record_override(catalogue.store, lambda: catalogue.now, "never", RecordName("KOTA", "K-1"),
                    RecordName("DESA1", "D-1"), priority=PRIORITY)
    text = explain_text(catalogue, work)
    assert "staff override: DESA1:D-1 ~ KOTA:K-1: staf: jangan pernah digabung" in text
    assert "Dipisahkan / held apart: KOTA:K-1 ~ DESA1:D-1" in text


def test_explain_of_a_single_record_work_says_nothing_was_merged(
        catalogue: Catalogue) -> None:
    catalogue.ingest("KOTA", branch_copy(loc_record(3), "KOTA", "K-1"))
    catalogue.update()
    text = explain_text(catalogue, catalogue.work_of("KOTA:K-1") or 0)
    assert "one record, nothing merged" in text


def test_explain_of_an_unknown_id_is_none(catalogue: Catalogue) -> None:
    with catalogue.store.read() as session:
        assert explain_work(session, 999) is None
