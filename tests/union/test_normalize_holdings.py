"""Items from Koha 952, MARC 852 and SLiMS item codes."""

from __future__ import annotations

from pathlib import Path

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from union.bib_record import Item
from union.normalize import bib_from_marc
from union.normalize.holdings import (
    item_from_852,
    item_from_952,
    items_from_marc,
    koha_status,
    slims_items,
)


def koha(**subfields: str) -> Field:
    """A 952 with subfields given as keyword arguments (digits prefixed with "s")."""
    return Field(
        "952",
        Indicators(" ", " "),
        [Subfield(code.removeprefix("s"), value) for code, value in subfields.items()],
    )


@pytest.fixture(scope="module")
def natlibfi(shared: Path) -> Path:
    return shared / "data" / "marc" / "NatLibFi-RecordManager"


def test_koha_items_from_a_real_koha_export(natlibfi: Path) -> None:
    # marc-broken.xml is a Koha export (999 $c biblionumber, full 952s) from HAMK.
    record = pymarc.parse_xml_to_array(str(natlibfi / "marc-broken.xml"))[0]
    assert bib_from_marc(record).items == (
        Item(barcode="1583037376", branch="EVO", location="VAR",
             call_number="Varasto TENHOLA", status="available"),
        Item(barcode="1583086113", branch="LEPAA", location="KIR",
             call_number="630 METSÄTALOUS", status="available"),
        Item(barcode="1583086115", branch="LEPAA", location="KIR",
             call_number="630 METSÄTALOUS", status="available"),
    )


def test_koha_items_win_over_852_describing_the_same_copies(natlibfi: Path) -> None:
    record = pymarc.parse_xml_to_array(str(natlibfi / "marc_analytical.xml"))[0]
    assert bib_from_marc(record).items == (
        Item(branch="SORNAINEN", location="SN-KIR", call_number="Srn 05.01 Shakespeare",
             status="available"),
    )


def test_home_branch_is_the_items_branch() -> None:
    item = item_from_952(koha(a="CITY", b="VILLAGE1", p="B001"))
    assert item.branch == "CITY"


def test_holding_branch_is_used_without_a_home_branch() -> None:
    assert item_from_952(koha(b="VILLAGE1", p="B001")).branch == "VILLAGE1"


def test_lost_item_is_missing() -> None:
    assert koha_status(koha(p="B1", s1="1")) == "missing"


def test_withdrawn_item_is_missing() -> None:
    assert koha_status(koha(p="B1", s0="1")) == "missing"


def test_item_with_a_due_date_is_on_loan() -> None:
    assert koha_status(koha(p="B1", q="2024-03-01")) == "on_loan"


def test_not_for_loan_item() -> None:
    assert koha_status(koha(p="B1", s7="1")) == "not_for_loan"
    assert koha_status(koha(p="B1", s7="-1")) == "not_for_loan"  # on order


def test_item_with_zero_flags_is_available() -> None:
    assert koha_status(koha(p="B1", s0="0", s1="0", s7="0")) == "available"


def test_koha_collection_code_and_call_number() -> None:
    item = item_from_952(koha(a="PUSAT", p="B9", o="899.221 PRA b", c="REF", s8="LOKAL"))
    assert item == Item(barcode="B9", branch="PUSAT", location="REF",
                        call_number="899.221 PRA b", status="available", collection="LOKAL")


def test_952_without_koha_subfields_is_not_an_item() -> None:
    # LC and RLIN used 952 for other things: "$aII lb11 09-05-02" in marc4j/chabon-loc.mrc.
    assert items_from_marc([], [koha(a="II lb11 09-05-02")]) == []


def test_852_location_is_an_item() -> None:
    field = Field("852", Indicators("0", " "), [
        Subfield("a", "FU"), Subfield("b", "UFSCI"), Subfield("c", "DISS"),
        Subfield("h", "LD1780 1984"), Subfield("i", ".B9591")])
    assert item_from_852(field) == Item(branch="UFSCI", location="DISS",
                                        call_number="LD1780 1984 .B9591")


def test_slims_item_codes_share_the_call_number() -> None:
    assert slims_items(["B00001", "B00002"], "005.13/3-22 Jan p") == [
        Item(barcode="B00001", call_number="005.13/3-22 Jan p"),
        Item(barcode="B00002", call_number="005.13/3-22 Jan p"),
    ]
