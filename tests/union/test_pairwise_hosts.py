"""Pairwise decisions on the publication a record sits in, and on titles one source
continues: numbered series (for an article its journal, volume and issue), identifiers
compared within their agency (a DOI against a DOI), a title that goes on past the other's
end without a mark.

Articles are real records of the bib-dedupe literature sets (../shared/data/dedup), as
``tests/benchmarks/dedup_quality.py`` maps them onto bib records: the journal with its
volume and issue as a numbered series, the DOI and the volume with the first page
("pg:24-1786") as national numbers, the page count as the extent. Books are LoC records
of Indonesian books.
"""

from __future__ import annotations

from dataclasses import replace

from tests.support.loc import loc
from union.bib_record import Agent, BibRecord, Item
from union.dedup import decide


def article(title: str, authors: list[str], year: int, journal: str, pages: str | None,
            *numbers: str) -> BibRecord:
    """A citation as the quality benchmark maps it."""
    return BibRecord(
        title=title,
        agents=tuple(Agent(name=n, main=i == 0) for i, n in enumerate(authors)),
        year=year,
        extent=pages,
        series=(journal,),
        national_numbers=numbers,
    )


def branch_copy(record: BibRecord, **changes: object) -> BibRecord:
    """The record as a village branch holds it: no LC control number."""
    return replace(record, lccns=(), items=(Item(barcode="B0001", branch="DESA1"),),
                   **changes)


def note(record_a: BibRecord, record_b: BibRecord, name: str) -> list[str]:
    return [s.note for s in decide(record_a, record_b).evidence.signals if s.name == name]


# ------------------------------------------------------------------------------ series


def test_same_abstract_in_two_journals_is_not_merged() -> None:
    # haematology id_0001084 / id_0001089: the same conference abstract, same authors and
    # year, printed in Pediatric Nephrology and in European Journal of Immunology; the
    # set holds them apart (two publications).
    a = article("Influence of Complement Deficiencies on the Prognosis of Atypical "
                "Hemolytic Uremic Syndrome (Ahus)", ["Fremeaux-Bacchi, V.", "Garnier, A.",
                "Fakhouri, F."], 2009, "Pediatric Nephrology ; 24/09", "1 p.", "pg:24-1786")
    b = article("Influence of complement deficiencies on the prognosis of atypical hemolytic "
                "uremic syndrome (AHUS)", ["Fremeaux-Bacchi, V.", "Fakhouri, F.",
                "Chatelet, V."], 2009, "European Journal of Immunology.Conference: 2nd "
                "European Congress of Immunology Berlin Germany. ; 39", "1 p.")
    decision = decide(a, b)
    assert not decision.same, decision.reason
    assert note(a, b, "series") == ["different"]


def test_book_numbered_in_another_series_weighs_against() -> None:
    # "Imajinasi penguasa dan identitas postkolonial", Seri siasat kebudayaan ; 10.
    record = loc("00366403")
    other = branch_copy(record, series=("Seri pustaka ilmiah ; 3",))
    signal = decide(record, other).evidence.get("series")
    assert signal is not None and signal.note == "different" and signal.score < 0


def test_book_in_one_of_its_series_abbreviated_is_merged() -> None:
    record = loc("00366403")
    other = branch_copy(record, series=("Monografi Lemb. Studi Realino ; 10",))
    decision = decide(record, other)
    assert decision.same, decision.reason
    assert note(record, other, "series") == ["same"]


def test_book_in_two_series_must_agree_in_both() -> None:
    # The LoC record is number 10 of both its series; a copy numbered 11 in the second
    # is another book of that series, whatever the first says.
    record = loc("00366403")
    other = branch_copy(record, series=("Monografi Lembaga Studi Realino ; 10",
                                        "Seri siasat kebudayaan ; 11"))
    decision = decide(record, other)
    assert decision.evidence.blocked
    assert note(record, other, "series") == ["conflict"]
    assert decide(other, record).evidence.blocked


def test_journal_number_without_the_issue_agrees() -> None:
    # haematology id_0000208 / id_0000209: "BLOOD ; 108/04" and "Blood ; 108".
    authors = ["Caprioli, J.", "Noris, M.", "Brioschi, S."]
    a = article("Genetics of HUS: the impact of MCP, CFH, and IF mutations on clinical "
                "presentation, response to treatment, and outcome", authors, 2006,
                "BLOOD ; 108/04", "13 p.", "pg:108-1267")
    b = article("Genetics of HUS: the impact of MCP, CFH and IF mutations on clinical "
                "presentation, response to treatment, and outcome", authors, 2006,
                "Blood ; 108", "13 p.", "pg:108-1267")
    decision = decide(a, b)
    assert decision.same, decision.reason
    assert note(a, b, "series") == ["same"]


def test_other_issue_with_the_same_first_page_is_a_slip() -> None:
    # respiratory records 86 / 87: issues 57 and 56 of volume 51, both starting at p. 84.
    authors = ["Turna, A.", "Kutlu, C. A.", "Ozalp, T."]
    title = "Antibiotic prophylaxis in elective thoracic surgery: cefuroxime versus cefepime"
    a = article(title, authors, 2003, "Thoracic & Cardiovascular Surgeon ; 51/57", "5 p.",
                "pg:51-84")
    b = article(title, authors, 2003, "The Thoracic and cardiovascular surgeon ; 51/56",
                "5 p.", "pg:51-84")
    decision = decide(a, b)
    assert decision.same, decision.reason
    assert note(a, b, "series") == ["other issue"]


def test_other_issue_blocks_when_the_dois_differ() -> None:
    # digital_work: "Editorial Introduction" by the same editor in issues 1 and 2 of one
    # volume, each issue paged from 3: the first page is shared, the DOIs are not.
    a = article("Editorial Introduction", ["Zwass, Vladimir"], 2000,
                "Journal of Management Information Systems ; 17/01", "6 p.",
                "doi:10.1080/07421222.2000.11045631", "pg:17-3")
    b = article("Editorial Introduction", ["Zwass, Vladimir"], 2000,
                "Journal of Management Information Systems ; 17/02", "2 p.",
                "doi:10.1080/07421222.2000.11045643", "pg:17-3")
    decision = decide(a, b)
    assert not decision.same
    assert decision.evidence.blocked
    assert note(a, b, "series") == ["conflict"]


# ------------------------------------------------------------------------- identifiers


def test_different_dois_weigh_against_a_shared_first_page() -> None:
    # digital_work id_1001919 / id_1004287: two editorials opening volume 9 of two
    # journals; "pg:9-1" is shared by chance, the DOIs differ.
    a = article("Editorial", ["Galliers, Robert D.", "Jarvenpaa, Sirkka"], 2000,
                "The Journal of Strategic Information Systems ; 9/01", "3 p.",
                "doi:10.1016/s0963-8687(00)00047-0", "pg:9-1")
    b = article("Editorial", ["O'Keefe, Bob", "Paul, Ray J"], 2000,
                "European Journal of Information Systems ; 9/01", "2 p.",
                "doi:10.1057/palgrave.ejis.3000346", "pg:9-1")
    decision = decide(a, b)
    assert not decision.same, decision.reason
    assert sorted(note(a, b, "national_number")) == ["different doi", "shared"]


# ------------------------------------------------------------------------------ titles


def test_title_continued_without_a_mark_merges_on_a_shared_doi() -> None:
    # digital_work: "Anxiety about electronic data hacking" and the same title going on
    # "- Predictors and relations with digital privacy protection behavior".
    authors = ["Elhai, Jon D", "Levine, Jason C", "Hall, Brian J"]
    a = article("Anxiety about electronic data hacking", authors, 2017,
                "Internet Research ; 27/03", "19 p.", "doi:10.1108/intr-03-2016-0070",
                "pg:27-631")
    b = article("Anxiety about electronic data hacking - Predictors and relations with "
                "digital privacy protection behavior", authors, 2017,
                "Internet Research ; 27/03", "19 p.", "doi:10.1108/intr-03-2016-0070",
                "pg:27-631")
    decision = decide(a, b)
    assert decision.same, decision.reason
    signal = decision.evidence.get("title")
    assert signal is not None and signal.note.startswith("prefix") and signal.score == 0


def test_title_continued_without_a_mark_is_not_enough_without_an_identifier() -> None:
    # Same author, year, publisher, pages and series, but the village copy's title goes
    # on ("... di Jawa Barat"): it may be the regional volume, so it is not merged.
    record = loc("00366363")
    other = branch_copy(record, isbns=(), title=f"{record.title} di Jawa Barat")
    decision = decide(record, other)
    assert not decision.same, decision.reason
    assert not decision.evidence.blocked
    assert note(record, other, "title")[0].startswith("prefix")


def test_short_title_continued_is_still_a_conflict() -> None:
    # Under five words a longer title is another title: "Sang kantjil" is not
    # "Sang kantjil dan buaja".
    record = loc("00365801")
    other = branch_copy(record, title=f"{record.title} dan buaja")
    decision = decide(record, other)
    assert decision.evidence.blocked
    assert note(record, other, "title")[0].startswith("conflict")


def test_misspelled_stop_word_is_left_out_like_the_stop_word() -> None:
    # A village copy types "terhaap" for "terhadap", a stop word title matching drops.
    record = loc("00366223")
    other = branch_copy(record, isbns=(), title="Ketakwaan terhaap Tuhan Yang Maha Esa")
    decision = decide(record, other)
    assert decision.same, decision.reason
    assert note(record, other, "title")[0].startswith("close")


def test_word_cut_short_without_a_period_stands_for_the_word_in_a_long_title() -> None:
    # "Studi longitudinal pelaksanaan jaring pengaman sosial bidang kes." without the
    # period: "kes" begins "kesehatan" and four other words agree exactly.
    record = loc("00366659")
    other = branch_copy(record, title="Studi longitudinal pelaksanaan jaring pengaman "
                                      "sosial-bidang kes")
    assert note(record, other, "title")[0].startswith(("close", "partial"))


def test_word_cut_short_in_a_short_title_is_another_word() -> None:
    # Two words shared are too few: "Sejarah kota Palembang" is not "Sejarah
    # Kotabaru Palembang".
    record = branch_copy(loc("00366659"), title="Sejarah kota Palembang", subtitle=None)
    other = branch_copy(record, title="Sejarah kotabaru Palembang")
    assert decide(record, other).evidence.blocked
