"""Format of material from MARC coded data and Dublin Core terms."""

from __future__ import annotations

from union.normalize.formats import dc_format, looks_like_extent, marc_format

BOOK_008 = "000712s1998    io            000 0 ind  "


def test_language_material_monograph_is_a_book() -> None:
    assert marc_format("00624nam a22001817a 4500", (), BOOK_008) == "book"


def test_electronic_form_of_item_is_an_ebook() -> None:
    fixed = BOOK_008[:23] + "s" + BOOK_008[24:]
    assert marc_format("00911cam a22002417a 4500", (), fixed) == "ebook"


def test_remote_electronic_007_is_an_ebook() -> None:
    assert marc_format("00936cam a22002654i 4500", ("cr#|||||||||||",), "") == "ebook"


def test_serial_level_is_a_serial() -> None:
    assert marc_format("01234nas a2200000 a 4500", (), "") == "serial"


def test_other_record_types() -> None:
    assert marc_format("00000ncm a2200000 a 4500") == "score"
    assert marc_format("00000nem a2200000 a 4500") == "map"
    assert marc_format("00000njm a2200000 a 4500") == "sound"
    assert marc_format("00000nmm a2200000 a 4500") == "computer_file"
    assert marc_format("00000ntm a2200000 a 4500") == "manuscript"
    assert marc_format("00000nom a2200000 a 4500") == "kit"
    assert marc_format("00000npc a2200000 a 4500") == "mixed"


def test_projected_medium_is_video_only_when_moving() -> None:
    video_008 = " " * 33 + "v" + " " * 6
    assert marc_format("00000ngm a2200000 a 4500", (), video_008) == "video"
    assert marc_format("00000ngm a2200000 a 4500", (), " " * 33 + "s" + " " * 6) == "visual"


def test_dublin_core_types() -> None:
    assert dc_format(["Text"]) == "book"
    assert dc_format(["MovingImage"]) == "video"
    assert dc_format(["Sound Recording"]) == "sound"
    assert dc_format(["Peta"]) == "map"
    assert dc_format(["application/pdf"]) == "ebook"


def test_unknown_dublin_core_type_gives_none() -> None:
    assert dc_format(["Lainnya"]) is None


def test_physical_description_is_told_from_a_format() -> None:
    assert looks_like_extent("xiv, 392 p. : ill. ; 24 cm.")
    assert looks_like_extent("784p.")
    assert looks_like_extent("200 hlm.")
    assert not looks_like_extent("Text")
