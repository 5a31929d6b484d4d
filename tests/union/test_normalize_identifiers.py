"""ISBN, ISSN, LCCN, OCLC and national bibliography numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean
from stdnum import isbn as stdnum_isbn

from union.normalize.identifiers import (
    isbn13,
    isbn_candidate,
    national_number,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)

digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


def test_isbn10_is_converted_to_isbn13() -> None:
    assert normalize_isbn("0764541668") == "9780764541667"


def test_isbn10_with_x_check_digit_is_converted() -> None:
    assert normalize_isbn("019254702X") == "9780192547026"


def test_indonesian_979_isbn10_becomes_978979_isbn13() -> None:
    # Indonesia's ISBN-10 group is 979: its ISBN-13s start 978-979, not 979.
    assert normalize_isbn("979-9585-73-2") == "9789799585738"



def test_isbn_with_bad_checksum_is_rejected() -> None:
    assert normalize_isbn("0764541669") is None
    assert normalize_isbn("9780764541668") is None


def test_isbn13_with_a_prefix_other_than_978_or_979_is_rejected() -> None:
    assert isbn13("9770764541660") is None


def test_qualifier_after_isbn_is_stripped() -> None:
    assert normalize_isbn("9799573106 (p. [4] of cover)") == "9789799573100"
    assert normalize_isbn("0-14-081759-X (koko paketti)") == isbn13("014081759X")


def test_price_after_isbn_is_stripped() -> None:
    assert normalize_isbn("978-979-3062-79-1 : Rp 25.000") == isbn13("9789793062791")
    assert isbn_candidate("978-979-3062-79-1 : Rp 25.000") == "9789793062791"


def test_isbn_printed_with_spaces_is_read() -> None:
    assert isbn_candidate("978 979 3062 79 1") == "9789793062791"


def test_isbn_label_is_ignored() -> None:
    assert normalize_isbn("ISBN 0-7645-4166-8") == "9780764541667"


def test_isbn_followed_by_volume_digits_is_cut_at_the_space() -> None:
    assert isbn_candidate("9799585732 2 v.") == "9799585732"


def test_text_without_an_isbn_has_no_candidate() -> None:
    assert isbn_candidate("(pbk.)") is None
    assert isbn_candidate("338.9 Han l") is None


def test_isbn_of_wrong_length_is_still_a_candidate_as_evidence() -> None:
    assert isbn_candidate("979-8885-08") == "979888508"
    assert isbn13("979888508") is None


@given(digits)
def test_isbn10_to_13_round_trips_through_stdnum(first9: str) -> None:
    body = "978" + first9
    isbn10 = stdnum_isbn.to_isbn10(body + ean.calc_check_digit(body))
    converted = isbn13(isbn10)
    assert converted == stdnum_isbn.to_isbn13(isbn10)
    assert converted is not None and stdnum_isbn.to_isbn10(converted) == isbn10


@given(st.sampled_from(["978", "979", "977"]), st.text(alphabet="0123456789", min_size=10,
                                                       max_size=10))
def test_isbn13_validation_agrees_with_stdnum(prefix: str, rest: str) -> None:
    number = prefix + rest
    assert (isbn13(number) is not None) == stdnum_isbn.is_valid(number)


@given(digits, st.sampled_from("0123456789X"))
def test_isbn10_validation_agrees_with_stdnum(first9: str, check: str) -> None:
    number = first9 + check
    assert (isbn13(number) is not None) == stdnum_isbn.is_valid(number)


def test_an_isbn_with_a_digit_of_another_kind_is_not_valid() -> None:
    # str.isdigit() takes "²" and "٣" for digits; an ISBN has ASCII digits only.
    assert isbn13("979306279\u00b2") is None
    assert isbn13("97930627\u00b29") is None
    assert isbn13("978979306279\u00b2") is None
    assert isbn13("97897930627\u06639") is None
    assert normalize_isbn("978979306279\u00b2 (pbk.)") is None
    assert normalize_lccn("85-00000\u00b2") is None


def test_issn_is_formatted_with_hyphen() -> None:
    assert normalize_issn("03785955") == "0378-5955"
    assert normalize_issn("ISSN 1239-6117 ;") == "1239-6117"


def test_issn_with_bad_checksum_is_rejected() -> None:
    assert normalize_issn("0378-5954") is None


def test_lccn_blanks_are_removed() -> None:
    assert normalize_lccn("   00271626 ") == "00271626"


def test_lccn_revision_suffix_after_slash_is_dropped() -> None:
    assert normalize_lccn("   75577579 //r91") == "75577579"


def test_lccn_hyphenated_serial_is_zero_padded() -> None:
    assert normalize_lccn("n  79-21164") == "n79021164"
    assert normalize_lccn("sn 78-5434") == "sn78005434"


def test_lccn_twenty_first_century_form_is_kept() -> None:
    assert normalize_lccn("  2005280851") == "2005280851"


def test_malformed_lccn_is_rejected() -> None:
    assert normalize_lccn("not an lccn") is None
    assert normalize_lccn("79-1234567") is None


def test_oclc_number_from_ocm_prefix() -> None:
    assert normalize_oclc("(OCoLC)ocm44696909") == "44696909"


def test_oclc_number_from_ocn_and_on_prefixes() -> None:
    assert normalize_oclc("(OCoLC)ocn672263227") == "672263227"
    assert normalize_oclc("on1234567890") == "1234567890"


def test_oclc_number_leading_zeros_are_dropped() -> None:
    assert normalize_oclc("(OCoLC)00000697^") == "697"


def test_other_system_numbers_are_not_oclc_numbers() -> None:
    assert normalize_oclc("(NNC)8480396") is None
    assert normalize_oclc("8480396") is None
    assert normalize_oclc("(OCoLC-I)123456") is None


def test_bare_digits_are_oclc_numbers_only_when_allowed() -> None:
    assert normalize_oclc("00400866", bare_digits=True) == "400866"


def test_national_bibliography_number_carries_its_agency() -> None:
    assert national_number("skl", "fx695486") == "skl:fx695486"


def test_national_bibliography_number_without_agency() -> None:
    assert national_number(None, "GB 84-33973 (pbk.)") == "nbn:GB 84-33973"


def test_isbn13_is_kept_without_hyphens() -> None:
    assert normalize_isbn("978-0-7645-4166-7") == "9780764541667"
