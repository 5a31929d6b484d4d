"""bib_from_marc on real records from Koha, Alma, Open Library's test data and marc4j."""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest
from pymarc import Field, Indicators, Leader, Record, Subfield

from union.bib_record import Agent
from union.normalize import NormalizationError, bib_from_marc

MARC = Path("data/marc")


def xml_record(shared: Path, path: str) -> pymarc.Record:
    return pymarc.parse_xml_to_array(str(shared / MARC / path))[0]


def binary_record(shared: Path, path: str) -> pymarc.Record:
    with (shared / MARC / path).open("rb") as handle:
        return next(iter(pymarc.MARCReader(handle)))


def test_koha_record(shared: Path) -> None:
    bib = bib_from_marc(xml_record(shared, "marc4j/1474920681_KOHA_LFL_5.xml"))
    assert bib.title == "Cinema and architecture : from historical to digital"
    assert bib.responsibility == "edited by Francois Penz and Maureen Thomas"
    assert bib.isbns == ("9780851705774",)
    assert bib.lccns == ("97112390",)
    assert (bib.place, bib.publisher, bib.year) == (
        "London", "BFI (British Film Institute) Publishing", 1996)
    assert bib.agents == (Agent(name="Penz, Francois", main=True),)


def test_koha_record_with_an_xml_comment(shared: Path) -> None:
    plain = bib_from_marc(xml_record(shared, "marc4j/1474920681_KOHA_LFL_5.xml"))
    commented = bib_from_marc(xml_record(shared, "marc4j/1474920681_KOHA_LFL_6_with_comment.xml"))
    assert commented.title == plain.title


def test_alma_online_record(shared: Path) -> None:
    bib = bib_from_marc(xml_record(shared, "NatLibFi-RecordManager/alma.xml"))
    assert bib.title == "testitietue testaamiseen"
    assert bib.format == "ebook"  # 007 cr: remote electronic resource
    assert (bib.place, bib.publisher, bib.year) == ("Oulu", "Oulun ammattikorkeakoulu", 2020)
    assert bib.date_text == "kevät 2020"
    assert bib.languages == ("fin",)
    assert bib.subjects == ("pystyviiva",)  # a stray fill character "|" dropped


def test_alma_empty_name_is_not_an_agent(shared: Path) -> None:
    # 100 1_ $a ", " $e kirjoittaja.
    assert bib_from_marc(xml_record(shared, "NatLibFi-RecordManager/alma.xml")).agents == ()


def test_national_bibliography_number_from_015(shared: Path) -> None:
    bib = bib_from_marc(xml_record(shared, "NatLibFi-RecordManager/marc-broken.xml"))
    assert bib.national_numbers == ("skl:fx695486",)
    assert bib.invalid_isbns == ()
    assert bib.isbns == ("9789529891757",)  # 952-9891-75-X


def test_relator_codes_in_4(shared: Path) -> None:
    bib = bib_from_marc(binary_record(shared, "marc4j/field700_4_test.mrc"))
    roles = {a.name: a.role for a in bib.agents}
    assert roles["Soyinka, Wole"] == "interviewee"
    assert roles["Duerden, Dennis"] == "compiler"


def test_open_library_translation(shared: Path) -> None:
    bib = bib_from_marc(binary_record(shared, "openlibrary/bin_input/lc_1416500308.mrc"))
    assert bib.title == "Candide"
    assert bib.uniform_title == "Candide"
    assert bib.isbns == ("9781416500308",)  # 1416500308 (pbk.)
    assert bib.lccns == ("2005280851",)
    assert bib.languages == ("eng",)
    assert bib.original_languages == ("fre",)
    assert bib.date_text == "c2005"
    assert bib.year == 2005
    assert bib.series == ("Enriched classics", "Enriched classics series")


def test_open_library_lccn_revision_and_015(shared: Path) -> None:
    bib = bib_from_marc(binary_record(shared, "openlibrary/bin_input/830_series.mrc"))
    assert bib.lccns == ("75577579",)  # 010 $a "   75577579 //r91"
    assert bib.national_numbers == ("nbn:Ja69-718",)
    assert bib.series[1] == "Economic series (Nihon Gakujutsu Kaigi. Dai 3-bu) ; no. 46"


def test_open_library_852_holdings(shared: Path) -> None:
    path = "openlibrary/bin_input/13dipolarcycload00burk_meta.mrc"
    bib = bib_from_marc(binary_record(shared, path))
    assert bib.oclc_numbers == ("14236343",)
    assert [(i.branch, i.location, i.call_number) for i in bib.items] == [
        ("UFSCI", "DISS", "LD1780 1984 .B9591"),
        ("UFSPE", "ARDIS", None),
    ]


def test_open_library_cancelled_isbn_and_oclc_ocn(shared: Path) -> None:
    bib = bib_from_marc(
        binary_record(shared, "openlibrary/bin_input/880_arabic_french_many_linkages.mrc"))
    assert bib.invalid_isbns == ("9789981591572",)  # 020 $z
    assert bib.oclc_numbers == ("672263227",)  # (OCoLC)ocn672263227; (NNC) ignored
    assert bib.languages == ("ara", "fre")
    assert bib.edition == "al-Ṭabʻah 1"


def test_open_library_record_without_245_uses_the_uniform_title(shared: Path) -> None:
    bib = bib_from_marc(binary_record(shared, "openlibrary/bin_input/talis_no_title.mrc"))
    assert bib.title == "Plays"


def test_open_library_record_without_any_title_is_refused(shared: Path) -> None:
    record = binary_record(shared, "openlibrary/bin_input/talis_no_title2.mrc")
    with pytest.raises(NormalizationError, match="no title"):
        bib_from_marc(record)


def test_oclc_record_number_from_001_when_003_is_ocolc() -> None:
    record = Record(leader=Leader("00000nam a2200000 a 4500"))
    record.add_field(
        Field("001", data="ocm00400866"),
        Field("003", data="OCoLC"),
        Field("245", Indicators("0", "0"), [Subfield("a", "Senior Laurel songs.")]),
    )
    assert bib_from_marc(record).oclc_numbers == ("400866",)


def test_indonesian_relator_terms_in_700e() -> None:
    record = Record(leader=Leader("00000nam a2200000 a 4500"))
    record.add_field(
        Field("245", Indicators("0", "0"), [Subfield("a", "Bumi manusia /")]),
        Field("700", Indicators("1", " "), [Subfield("a", "Damono, Sapardi Djoko,"),
                                            Subfield("e", "penerjemah.")]),
        Field("700", Indicators("1", " "), [Subfield("a", "Rosidi, Ajip,"),
                                            Subfield("e", "penyunting.")]),
    )
    assert [(a.name, a.role) for a in bib_from_marc(record).agents] == [
        ("Damono, Sapardi Djoko", "translator"),
        ("Rosidi, Ajip", "editor"),
    ]


def test_rda_264_publication_is_preferred_and_copyright_is_a_fallback() -> None:
    record = Record(leader=Leader("00000nam a2200000 i 4500"))
    record.add_field(
        Field("245", Indicators("0", "0"), [Subfield("a", "Laskar pelangi")]),
        Field("264", Indicators(" ", "1"), [Subfield("a", "Yogyakarta :"),
                                            Subfield("b", "Bentang,"),
                                            Subfield("c", "[tahun terbit tidak diketahui]")]),
        Field("264", Indicators(" ", "4"), [Subfield("c", "©2005")]),
    )
    bib = bib_from_marc(record)
    assert (bib.place, bib.publisher, bib.year) == ("Yogyakarta", "Bentang", 2005)


def test_unknown_place_and_publisher_are_none() -> None:
    record = Record(leader=Leader("00000nam a2200000 a 4500"))
    record.add_field(
        Field("245", Indicators("0", "0"), [Subfield("a", "Serat Centhini")]),
        Field("260", Indicators(" ", " "), [Subfield("a", "[S.l. :"), Subfield("b", "s.n.],"),
                                            Subfield("c", "[19--?]")]),
    )
    bib = bib_from_marc(record)
    assert (bib.place, bib.publisher, bib.year) == (None, None, None)
    assert bib.date_text == "[19--?]"
