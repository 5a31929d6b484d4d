"""bib_from_marc on the 2,828 real LoC records of Indonesian, Malay, Javanese and Sundanese
imprints; expected values were read from the file (pymarc's text dump of each record)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
import pymarc
import pytest

from union.bib_record import Agent, BibRecord
from union.normalize import bib_from_marc

LOC = "data/marc/loc-booksall-2016-part01/BooksAll.2016.part01.lang-ind-may-jav-sun.mrc"


@pytest.fixture(scope="module")
def records(shared: Path) -> dict[str, pymarc.Record]:
    with (shared / LOC).open("rb") as handle:
        return {r["001"].data.strip(): r for r in pymarc.MARCReader(handle)}


@pytest.fixture(scope="module")
def bibs(records: dict[str, pymarc.Record]) -> dict[str, BibRecord]:
    return {key: bib_from_marc(record) for key, record in records.items()}


def test_every_record_normalizes_with_a_title(bibs: dict[str, BibRecord]) -> None:
    assert len(bibs) == 2828
    assert all(bib.title for bib in bibs.values())


def test_every_record_has_a_year_and_a_language(bibs: dict[str, BibRecord]) -> None:
    assert all(bib.year is not None for bib in bibs.values())
    assert all(bib.languages for bib in bibs.values())


def test_no_title_keeps_isbd_end_punctuation(bibs: dict[str, BibRecord]) -> None:
    assert not [b.title for b in bibs.values() if b.title[-1] in "/:;=,"]


def test_simple_record_in_full(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00271626"] == BibRecord(
        title="Analysis of natural resource impacts of Indonesia's financial crisis, "
        "October 25, 1998",
        subtitle="briefing on a study commissioned by Deputy V of BAPPENAS",
        agents=(Agent(name="Tarrant, James J.", kind="person", role="author", main=True),),
        publisher="Natural Resources Management Program",
        place="Jakarta",
        year=1998,
        date_text="[1998]",
        lccns=("00271626",),
        languages=("ind",),
        extent="53 leaves",
        dimensions="22 x 30 cm",
        format="book",
        notes=("Cover title.",),
    )


def test_responsibility_and_subtitle(bibs: dict[str, BibRecord]) -> None:
    bib = bibs["00271630"]
    assert bib.title == "Pengetahuan lingkungan dan sosial budaya daerah Nusa Tenggara Timur"
    assert bib.subtitle == "muatan lokal Kupang"
    assert bib.responsibility == "Djowa Maga, Maria H. Klau"
    assert (bib.place, bib.publisher, bib.extent) == ("Kupang", "Pabelan", "3 vol.")


def test_meeting_main_entry_and_body_added_entry(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00280600"].agents == (
        Agent(name="Rapat Koordinasi Nasional Riset dan Teknologi", kind="meeting",
              role="author", dates="1996", main=True),
        Agent(name="Indonesia. Menteri Negara Riset dan Teknologi", kind="body",
              role="contributor"),
    )


def test_subject_subdivisions_are_joined(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00280600"].subjects == (
        "Research -- Government policy -- Indonesia -- Congresses",
        "Technology and state -- Indonesia -- Congresses",
    )


def test_personal_name_subject_keeps_its_dates(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00280703"].subjects == (
        "Indonesia -- Politics and government -- 1998-",
        "Islam and politics -- Indonesia",
        "Wahid, Abdurrahman, 1940-2009",
    )


def test_uncontrolled_index_terms_are_subjects(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00280726"].subjects == ("Economic conditions", "Asia")


def test_indonesian_isbn10_is_converted(bibs: dict[str, BibRecord]) -> None:
    # 020 $a 979836855X
    assert bibs["00366166"].isbns == ("9789798368554",)


def test_isbn_qualifier_is_stripped(bibs: dict[str, BibRecord]) -> None:
    # 020 $a 9799573114 and 020 $a 9799573106 (p. [4] of cover)
    assert bibs["00280830"].isbns == ("9789799573117", "9789799573100")


def test_cancelled_isbn_goes_to_invalid_isbns(bibs: dict[str, BibRecord]) -> None:
    # 020 $z 9798368610
    bib = bibs["00366165"]
    assert bib.isbns == ()
    assert bib.invalid_isbns == ("9798368610",)


def test_edition_keeps_its_abbreviation(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00366165"].edition == "Cet. 1"
    assert bibs["00280726"].edition == "Ed. 1"


def test_bracketed_edition_is_unbracketed(bibs: dict[str, BibRecord]) -> None:
    # 250 $a [Cet. 1.].
    assert bibs["00280830"].edition == "Cet. 1"


def test_series_statement_and_series_added_entry(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00366165"].series == (
        "Seri laporan ; no. 97",
        "Seri laporan (Universitas Gadjah Mada. Pusat Penelitian dan Studi Kependudukan) "
        "; no. 97",
    )


def test_translation_has_uniform_title_and_original_language(bibs: dict[str, BibRecord]
                                                             ) -> None:
    bib = bibs["00280726"]
    assert bib.uniform_title == "Taming the tigers"
    assert bib.languages == ("ind",)
    assert bib.original_languages == ("eng",)


def test_corrected_year_wins(bibs: dict[str, BibRecord]) -> None:
    bib = bibs["00280747"]
    assert bib.date_text == "1999/2000 [i.e. 1999]"
    assert bib.year == 1999


def test_oclc_number_from_035(bibs: dict[str, BibRecord]) -> None:
    # 035 $a (OCoLC)ocm44696909
    assert bibs["00456349"].oclc_numbers == ("44696909",)


def test_first_publisher_of_several(bibs: dict[str, BibRecord]) -> None:
    # 260 $a Jakarta : $b PPT-LIPI : $b ANU : $b AusAID, $c 1999.
    assert bibs["00456349"].publisher == "PPT-LIPI"


def test_added_entries_without_relator_are_contributors(bibs: dict[str, BibRecord]) -> None:
    agents = bibs["00456349"].agents
    assert [a.name for a in agents][:4] == ["Sumono", "Tri Handayani", "Jones, Gavin W.",
                                            "Nagib, Laila"]
    assert {a.role for a in agents} == {"contributor"}
    assert not any(a.main for a in agents)


def test_name_title_added_entry_is_not_an_agent(bibs: dict[str, BibRecord]) -> None:
    # 710 1_ $a Indonesia. $t Kitab Undang-Undang Hukum Pidana.
    assert [a.name for a in bibs["00366166"].agents] == ["Supanto"]


def test_nonfiling_article_is_counted(bibs: dict[str, BibRecord]) -> None:
    bib = bibs["00367001"]
    assert bib.title == "The Veterans Legion of the Republic of Indonesia"
    assert bib.title_nonfiling == 4


def test_supplied_place_loses_its_brackets_and_question_mark(bibs: dict[str, BibRecord]
                                                             ) -> None:
    # 260 $a [Pontianak?] :
    assert bibs["00366336"].place == "Pontianak"


def test_cd_rom_text_is_an_ebook(bibs: dict[str, BibRecord]) -> None:
    # 008/23 "s" and 007 "co": a CD-ROM of language material
    assert bibs["00366336"].format == "ebook"


def test_notes_are_kept_in_record_order(bibs: dict[str, BibRecord]) -> None:
    assert bibs["00280747"].notes == (
        "Socio-economic conditions of women employees' households in Suralaga village, "
        "Nusa Tenggara Barat, Indonesia.",
        "Includes bibliographical references (p. 34).",
    )


def test_bib_record_survives_a_json_round_trip(bibs: dict[str, BibRecord]) -> None:
    bib = bibs["00456349"]
    assert BibRecord.from_dict(bib.to_dict()) == bib


def test_every_bib_record_is_read_back_from_its_stored_json(
        bibs: dict[str, BibRecord]) -> None:
    # The rebuild reads the JSON text the store holds straight into the dataclasses.
    for bib in bibs.values():
        assert BibRecord.from_json(orjson.dumps(bib.to_dict())) == bib


def test_stored_json_with_a_key_of_a_later_version_still_reads() -> None:
    stored = orjson.dumps({"title": "Bumi manusia", "year": 1980, "added_later": [1]})
    assert BibRecord.from_json(stored) == BibRecord(title="Bumi manusia", year=1980)


def test_stored_json_with_a_value_of_the_wrong_type_is_refused_with_its_path() -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.year"):
        BibRecord.from_json(orjson.dumps({"title": "Bumi manusia", "year": "1980"}))
