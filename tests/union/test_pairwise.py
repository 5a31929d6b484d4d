"""Pairwise decisions: when two bib records are the same manifestation, and when not.

Precision first: a false merge hides a book, so conflicting evidence blocks a merge even
when the records share an ISBN. Real pairs come from the Library of Congress records of
Indonesian books in the shared MARC file (named by LCCN); other cases are built from a
real record by changing the one thing the test is about.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import replace
from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.loc import loc, loc_bibs
from union.bib_record import Agent, BibRecord, Item
from union.dedup import THRESHOLD, Decision, blocking_keys, decide


def branch_copy(record: BibRecord, **changes: object) -> BibRecord:
    """The record as another branch would hold it: its own copy, no LC control number."""
    copy = replace(record, lccns=(), items=(Item(barcode="B0001", branch="DESA1"),))
    return replace(copy, **changes)


def signal_note(decision: Decision, name: str) -> str:
    signal = decision.evidence.get(name)
    assert signal is not None, f"no {name} signal in {decision.evidence}"
    return signal.note


# ------------------------------------------------------------------- real pairs: merged


def test_real_duplicate_sharing_an_isbn_is_merged() -> None:
    # The same book catalogued twice by LC: "Muhammadiyah-N.U." / "Muhammadiyah-NU",
    # publisher statement and LCCN differ.
    decision = decide(loc("00366491"), loc("00369165"))
    assert decision.same, decision.reason


def test_real_duplicate_without_identifiers_is_merged_on_its_description() -> None:
    # "Siti Jenar menggugat": one record has the author heading "Marhiyanto, Bambang", the
    # other only the statement "Bambang Murhiyanto"; same publisher, year and pages.
    decision = decide(loc("00366493"), loc("00367113"))
    assert decision.same, decision.reason
    assert signal_note(decision, "authors") == "in statement"


# --------------------------------------------------------------- real pairs: not merged


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("00280830", "00280845"),  # Wacana masyarakat ... / Perempuan idaman novel Indonesia
        ("00366166", "00366919"),  # Kebijakan hukum pidana ... / Seks dan ritual ...
        ("00366499", "00369163"),  # Telaah sastra / Sistem pengambilan keputusan ...
    ],
)
def test_shared_isbn_with_another_title_is_not_merged(first: str, second: str) -> None:
    # Indonesian publishers reuse ISBNs: the ISBN is shared, the books are different.
    decision = decide(loc(first), loc(second))
    assert signal_note(decision, "isbn") == "shared"
    assert not decision.same
    assert decision.evidence.get("title").blocks


def test_reports_differing_in_one_word_of_a_long_title_are_not_merged() -> None:
    # "... deposito berjangka tiga bulan ..." / "... enam bulan ...": same author, publisher,
    # year, pages and subtitle.
    decision = decide(loc("00366511"), loc("00366512"))
    assert not decision.same
    assert decision.reason.startswith("dicegah / blocked: title")


def test_regional_volumes_of_a_report_series_are_not_merged() -> None:
    # "Pembinaan nilai budaya melalui permainan rakyat daerah Riau" / "... daerah Bali".
    assert not decide(loc("00281567"), loc("00365152")).same


def test_progress_report_and_preliminary_report_are_not_merged() -> None:
    # "Penyusunan rencana detail kawasan Ratu Boko ... : laporan kemajuan" /
    # "... : laporan pendahuluan".
    assert not decide(loc("00365457"), loc("00365458")).same


def test_generic_titles_of_different_conferences_are_not_merged() -> None:
    # Two "Prosiding" of different seminars, different publishers.
    assert not decide(loc("00366028"), loc("00366029")).same


def test_set_and_one_of_its_volumes_are_not_merged() -> None:
    # "Reramputan pelajaran basa Sasak": the 6-volume set and the volume for class 1.
    assert not decide(loc("00701902"), loc("00701903")).same


# ------------------------------------------------------------------------ same record


def test_a_record_always_matches_itself() -> None:
    record = loc("00365801")
    assert decide(record, record).same


def test_a_branch_copy_of_a_record_is_merged() -> None:
    record = loc("00365801")  # Sang kantjil, 1966, no ISBN
    assert decide(record, branch_copy(record)).same


def test_old_spelling_record_matches_its_modern_spelling_copy() -> None:
    record = loc("00365801")  # "Sang kantjil : tokoh tjerita binatang Indonesia"
    modern = branch_copy(
        record,
        title="Sang Kancil",
        subtitle="Tokoh Cerita Binatang Indonesia",
        agents=(Agent("Dipojoyo, Asdi S.", main=True),),
        place="Jakarta",
    )
    decision = decide(record, modern)
    assert decision.same, decision.reason
    assert signal_note(decision, "title").startswith("exact")


def test_inverted_author_matches_direct_author() -> None:
    record = loc("00365801")
    direct = branch_copy(record, agents=(Agent("Asdi S. Dipodjojo", main=True),))
    assert signal_note(decide(record, direct), "authors") == "same"


def test_title_and_subtitle_in_one_field_match_a_split_title() -> None:
    record = loc("00365801")
    slims = branch_copy(
        record, title="Sang kantjil : tokoh tjerita binatang Indonesia", subtitle=None
    )
    assert signal_note(decide(record, slims), "title").startswith("exact")


def test_subtitle_missing_on_one_side_is_a_partial_title_match() -> None:
    record = loc("00366491")
    short = branch_copy(record, subtitle=None)
    decision = decide(record, short)
    assert signal_note(decision, "title").startswith("partial")
    assert decision.same


def test_abbreviation_and_typo_in_a_title_are_tolerated() -> None:
    record = BibRecord(
        title="Laporan Lembaga Penelitian Kabupaten Minahasa", publisher="Unsrat", year=1999,
        extent="64 p.", agents=(Agent("Polii, Leendert C."),),
    )  # fmt: skip
    variant = branch_copy(record, title="Laporan Lemb. Penelitian Kabupatem Minahasa")
    decision = decide(record, variant)
    assert signal_note(decision, "title").startswith("close")
    assert decision.same


def test_a_slip_in_a_word_that_folding_changes_is_a_typo_of_the_word_as_written() -> None:
    # "Indoensia" folds to "indunsia" (its slip made an old-spelling "oe"), two letters
    # from "indonesia" but one from the word as written.
    record = loc("00280851")  # Ulama pembawa Islam di Indonesia dan sekitarnya
    variant = branch_copy(record, title="Ulama pembawa Islam di Indoensia dan sekitarnya")
    decision = decide(record, variant)
    assert signal_note(decision, "title").startswith("close")
    assert decision.same


def test_a_slip_in_a_spelling_variant_is_a_typo_of_the_variant() -> None:
    # "Propini" is one letter from "Propinsi" as written, two from its folded "provinsi".
    record = BibRecord(
        title="Koleksi moko Alor di Museum Negeri Propinsi Nusa Tenggara Timur",
        year=1995, agents=(Agent("Museum Negeri Propinsi Nusa Tenggara Timur", kind="body"),),
    )  # fmt: skip
    variant = branch_copy(
        record, title="Koleksi moko Alor di Museum Negeri Propini Nusa Tenggara Timur")
    assert signal_note(decide(record, variant), "title").startswith("close")


def test_two_letters_apart_in_a_word_is_another_title_however_much_else_agrees() -> None:
    # Two guides of one series (BooksAll.2016): "eastern" / "western" are two slips apart.
    record = BibRecord(
        title="All the song birds", part_name="Eastern trailside", publisher="HarperPerennial",
        year=2000, extent="128 p.", agents=(Agent("Griggs, Jack L.", main=True),),
    )  # fmt: skip
    decision = decide(record, branch_copy(record, part_name="Western trailside"))
    assert signal_note(decision, "title").startswith("conflict")
    assert not decision.same


def test_a_slip_in_a_short_title_is_still_another_title_as_written() -> None:
    record = BibRecord(title="Serat Jayabaya", year=1999)
    assert signal_note(decide(record, branch_copy(record, title="Serat Djajabaja")),
                       "title").startswith("exact")
    assert signal_note(decide(record, branch_copy(record, title="Serat Jayabaa")),
                       "title").startswith("conflict")


# ---------------------------------------------------------------- how much is enough


def test_a_title_alone_is_not_enough() -> None:
    record = BibRecord(title="Matematika")
    assert not decide(record, branch_copy(record)).same


def test_a_shared_isbn_and_an_agreeing_title_are_enough() -> None:
    record = BibRecord(title="Bumi manusia", isbns=("9789799731234",))
    assert decide(record, branch_copy(record)).same


def test_without_identifiers_a_title_needs_three_supporting_agreements() -> None:
    record = BibRecord(title="Laporan tahunan", publisher="Dinas Pendidikan", year=1999)
    assert not decide(record, branch_copy(record)).same  # title, publisher, year: 5
    record = replace(record, extent="64 p.")
    assert decide(record, branch_copy(record)).same  # and pages: 6


def test_disjoint_isbns_weigh_against_the_merge() -> None:
    record = loc("00366491")
    other = branch_copy(record, isbns=("9789799573100",))
    decision = decide(record, other)
    assert decision.evidence.get("isbn").score < 0


def test_different_authors_weigh_against_the_merge() -> None:
    # "Dua tengkorak kepala": a Kompas short-story anthology and Motinggo Busye's novel.
    record = BibRecord(
        title="Dua tengkorak kepala", publisher="Kompas", year=2000, extent="156 p.",
        agents=(Agent("Nurhan, Kenedi", role="editor"),),
    )  # fmt: skip
    other = branch_copy(record, agents=(Agent("Busye, Motinggo", main=True),))
    decision = decide(record, other)
    assert signal_note(decision, "authors") == "different"
    assert not decision.same


def test_different_publishers_weigh_against_the_merge() -> None:
    record = BibRecord(
        title="Otonomi daerah", year=2000, extent="80 p.", publisher="Citra Aditya Bakti"
    )
    other = branch_copy(record, publisher="Elex Media Komputindo")
    assert signal_note(decide(record, other), "publisher") == "different"


# ---------------------------------------------------- conflicts block even a shared ISBN


def test_shared_isbn_with_other_volume_is_not_merged() -> None:
    record = replace(loc("00366491"), part_number="1")
    other = branch_copy(record, part_number="2")
    decision = decide(record, other)
    assert not decision.same
    assert decision.evidence.get("volume").blocks


def test_shared_isbn_with_a_volume_on_one_side_only_is_not_merged() -> None:
    record = loc("00366491")
    volume = branch_copy(record, title=record.title + ", jilid 2")
    assert not decide(record, volume).same


def test_a_blocking_conflict_overrides_a_high_score() -> None:
    record = replace(loc("00366491"), part_number="1")
    decision = decide(record, branch_copy(record, part_number="II"))
    assert decision.score >= THRESHOLD
    assert not decision.same


def test_shared_isbn_with_other_edition_is_not_merged() -> None:
    record = replace(loc("00366491"), edition="Ed. 1")
    other = branch_copy(record, edition="Ed. 2", year=2003)
    decision = decide(record, other)
    assert not decision.same
    assert decision.evidence.get("edition").blocks


def test_revised_edition_is_not_merged_with_the_first_edition() -> None:
    record = replace(loc("00366491"), edition="Ed. 1")
    assert not decide(record, branch_copy(record, edition="Edisi revisi")).same


def test_cetakan_is_a_reprint_not_a_new_edition() -> None:
    # Same ISBN, "Cet. 1" of 2000 and "cetakan ke-3" of 2004: one manifestation.
    record = loc("00366491")
    reprint = branch_copy(record, edition="cetakan ke-3", year=2004)
    decision = decide(record, reprint)
    assert decision.same, decision.reason
    assert signal_note(decision, "year") == "reprint"
    assert "reprint" in signal_note(decision, "edition")


def test_years_far_apart_without_a_shared_identifier_are_not_merged() -> None:
    record = loc("00365801")  # 1966, no ISBN
    later = branch_copy(record, year=1975, edition="Cet. 2")
    decision = decide(record, later)
    assert not decision.same
    assert decision.evidence.get("year").blocks


def test_years_two_apart_without_a_shared_identifier_weigh_against() -> None:
    record = loc("00365801")
    decision = decide(record, branch_copy(record, year=1968))
    assert decision.evidence.get("year").score < 0


def test_later_edition_against_an_unstated_edition_weighs_against() -> None:
    record = loc("00365801")
    decision = decide(record, branch_copy(record, edition="Ed. 2"))
    assert decision.evidence.get("edition").score < 0


def test_first_edition_statement_agrees_with_no_statement() -> None:
    record = loc("00365801")
    decision = decide(record, branch_copy(record, edition="Cet. 1"))
    assert decision.same
    assert decision.evidence.get("edition").score == 0


def test_translation_into_another_language_is_not_merged() -> None:
    record = loc("00366491")
    translated = branch_copy(record, languages=("eng",), original_languages=("ind",))
    decision = decide(record, translated)
    assert not decision.same
    assert decision.evidence.get("language").blocks


def test_translations_from_different_originals_are_not_merged() -> None:
    record = replace(loc("00366491"), original_languages=("dut",))
    assert not decide(record, branch_copy(record, original_languages=("eng",))).same


def test_translation_marked_on_one_side_only_weighs_against() -> None:
    record = loc("00366491")
    marked = branch_copy(record, original_languages=("ara",))
    assert decide(record, marked).evidence.get("translation").score < 0


def test_other_format_is_not_merged() -> None:
    record = loc("00366491")
    assert not decide(record, branch_copy(record, format="ebook")).same


def test_other_number_in_the_same_series_is_not_merged() -> None:
    record = replace(loc("00365801"), series=("Seri penerbitan PPW-LIPI ; no. 05/2000",))
    other = branch_copy(record, series=("Seri penerbitan PPW-LIPI ; no. 06/2000",))
    assert not decide(record, other).same


# ------------------------------------------------------------- all real candidate pairs

# Pairs of the LoC file that are the same book catalogued twice (checked by hand).
KNOWN_DUPLICATES = {
    ("00366491", "00369165"),  # Sumber konflik masyarakat Muslim Muhammadiyah-N.U.
    ("00366493", "00367113"),  # Siti Jenar menggugat
    ("00368666", "00369170"),  # Petunjuk pelaksanaan pengelolaan ... coremap
}


@cache
def _real_candidate_pairs() -> list[tuple[BibRecord, BibRecord]]:
    """Every pair of LoC records sharing a blocking key (about 850 pairs)."""
    loc("00365801")  # skips when the shared file is missing
    records = loc_bibs()
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in blocking_keys(record):
            blocks[key].append(index)
    pairs = {pair for members in blocks.values() for pair in itertools.combinations(members, 2)}
    return [(records[i], records[j]) for i, j in sorted(pairs)]


def test_among_real_candidate_pairs_only_known_duplicates_merge() -> None:
    merged = {
        tuple(sorted((a.lccns[0], b.lccns[0])))
        for a, b in _real_candidate_pairs()
        if decide(a, b).same
    }
    assert merged <= KNOWN_DUPLICATES
    assert len(merged) >= 2


def test_decide_is_symmetric_on_every_real_candidate_pair() -> None:
    for a, b in _real_candidate_pairs():
        forward, backward = decide(a, b), decide(b, a)
        assert (forward.same, forward.score) == (backward.same, backward.score), (
            a.lccns,
            b.lccns,
        )


# --------------------------------------------------------------------------- evidence


def test_evidence_names_each_signal_with_both_values() -> None:
    decision = decide(loc("00366491"), loc("00369165"))
    isbn = decision.evidence.get("isbn")
    assert (isbn.a, isbn.b, isbn.note) == ("9789796360239", "9789796360239", "shared")
    names = [s.name for s in decision.evidence.signals]
    assert {"isbn", "lccn", "title", "year", "authors", "publisher", "extent"} <= set(names)


def test_decision_score_is_the_sum_of_signal_scores() -> None:
    decision = decide(loc("00366491"), loc("00369165"))
    assert decision.score == pytest.approx(sum(s.score for s in decision.evidence.signals))


def test_decision_round_trips_through_a_json_dict() -> None:
    decision = decide(loc("00280830"), loc("00280845"))
    assert Decision.from_dict(decision.to_dict()) == decision


# ------------------------------------------------------------------------- properties

_records = st.builds(
    BibRecord,
    title=st.sampled_from(
        ["Sejarah Indonesia", "Sedjarah Indonesia", "Sejarah Indonesia jilid 2", "Sang kantjil",
         "Sang Kancil", "Prosiding", "Matematika edisi revisi", "Bumi manusia : roman"]
    ),
    subtitle=st.sampled_from([None, "tokoh tjerita binatang", "laporan akhir", "roman"]),
    part_number=st.sampled_from([None, "1", "2", "II"]),
    agents=st.lists(
        st.builds(
            Agent,
            name=st.sampled_from(
                ["Toer, Pramoedya Ananta", "Pramoedya Ananta Toer", "Soekarno", "Drs. Soetarto",
                 "Marhiyanto, Bambang", "Bambang Murhiyanto", "Dinas Pendidikan"]
            ),
            kind=st.sampled_from(["person", "body"]),
            main=st.booleans(),
        ),
        max_size=2,
    ).map(tuple),
    edition=st.sampled_from([None, "Cet. 1", "Cet. 3", "Ed. 2", "Edisi revisi", "Ed. 1, cet. 2"]),
    publisher=st.sampled_from([None, "Gramedia", "PT Gramedia", "Balai Pustaka", "Bendera"]),
    year=st.one_of(st.none(), st.integers(1964, 1972)),
    isbns=st.lists(
        st.sampled_from(["9789799023407", "9789796360239", "9789799573100"]), max_size=2
    ).map(tuple),
    languages=st.sampled_from([(), ("ind",), ("eng",), ("ind", "eng")]),
    original_languages=st.sampled_from([(), ("dut",)]),
    series=st.sampled_from([(), ("Seri X ; 1",), ("Seri X ; 2",)]),
    extent=st.sampled_from([None, "150 p.", "152 p.", "xviii, 351 p.", "3 v.", "v. <1-2>"]),
    format=st.sampled_from(["book", "book", "ebook"]),
)  # fmt: skip


@given(_records, _records)
def test_decide_is_symmetric(a: BibRecord, b: BibRecord) -> None:
    forward, backward = decide(a, b), decide(b, a)
    assert forward.same == backward.same
    assert forward.score == pytest.approx(backward.score)


@given(_records)
def test_a_record_always_matches_itself_property(record: BibRecord) -> None:
    assert decide(record, record).same


@given(_records)
def test_a_well_described_branch_copy_always_matches(record: BibRecord) -> None:
    record = replace(record, publisher="Gramedia", year=1966, extent="150 p.")
    assert decide(record, branch_copy(record)).same
