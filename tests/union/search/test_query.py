"""The patron query parser: fields in two languages, phrases, operators, ISBNs, years, and
never a crash on arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from union.search.query import MAX_DEPTH, QuerySyntaxError, parse_query, parse_year_range
from union.search.tree import (
    And,
    IsbnIs,
    MatchAll,
    MatchNone,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Term,
    YearBetween,
)


def root(text: str) -> Node:
    return parse_query(text).root


def test_words_are_analyzed_and_anded() -> None:
    assert root("Membaca buku") == And((Term(None, "baca", "membaca"), Term(None, "buku", "buku")))


def test_single_word() -> None:
    assert root("Soekarno") == Term(None, "sukarno", "sukarno")


@pytest.mark.parametrize(
    ("indonesian", "english", "field"),
    [
        ("judul", "title", "title"),
        ("pengarang", "author", "author"),
        ("penulis", "author", "author"),
        ("subjek", "subject", "subject"),
        ("penerbit", "publisher", "publisher"),
        ("seri", "series", "series"),
    ],
)
def test_field_names_in_both_languages(indonesian: str, english: str, field: str) -> None:
    assert root(f"{indonesian}:sejarah") == root(f"{english}:sejarah")
    assert root(f"{indonesian}:sejarah") == Term(field, "sejarah", "sejarah")
    assert root(f"{indonesian.upper()}:sejarah") == Term(field, "sejarah", "sejarah")


def test_field_applies_to_the_next_word_only() -> None:
    assert root("judul:bumi manusia") == And(
        (Term("title", "bumi", "bumi"), Term(None, "manusia", "manusia"))
    )


def test_field_applies_to_a_phrase_or_a_group() -> None:
    assert root('judul:"bumi manusia"') == Phrase("title", ("bumi", "manusia"))
    assert root("pengarang:(toer OR pramoedya)") == Or(
        (Term("author", "tur", "tur"), Term("author", "pramudya", "pramudya"))
    )


def test_unknown_prefix_is_read_as_words() -> None:
    assert root("Islam: sejarah") == root("Islam sejarah")
    assert root("http://example.org") == root('"http example org"')


def test_field_without_a_value_is_ignored() -> None:
    assert root("judul: ") == MatchNone()
    assert root("sejarah judul:") == Term(None, "sejarah", "sejarah")


def test_year_and_year_ranges() -> None:
    assert root("tahun:1998") == YearBetween(1998, 1998)
    assert root("year:1990-2000") == YearBetween(1990, 2000)
    assert root("tahun:1990..2000") == YearBetween(1990, 2000)
    assert root("tahun:-1969") == YearBetween(None, 1969)
    assert root("tahun:2010-") == YearBetween(2010, None)


@pytest.mark.parametrize("value", ["abc", "2000-1990", "19x0", "-", "1990-2000-2010"])
def test_bad_year_is_a_syntax_error(value: str) -> None:
    with pytest.raises(QuerySyntaxError, match="tahun"):
        parse_query(f"tahun:{value}")


def test_parse_year_range_directly() -> None:
    assert parse_year_range(" 1945 ") == (1945, 1945)
    assert parse_year_range("1945–1949") == (1945, 1949)


def test_phrase_is_analyzed() -> None:
    assert root('"Sedjarah Djakarta"') == Phrase(None, ("sejarah", "jakarta"))
    assert root('"membaca"') == Term(None, "baca", "membaca")


def test_unclosed_quote_runs_to_the_end() -> None:
    assert root('"bumi manusia') == Phrase(None, ("bumi", "manusia"))


def test_curly_quotes_make_a_phrase() -> None:
    assert root("“bumi manusia”") == Phrase(None, ("bumi", "manusia"))


def test_hyphenated_word_is_a_phrase() -> None:
    assert root("Indonesia-Jerman") == Phrase(None, ("indonesia", "jerman"))


def test_reduplicated_lexeme_is_either_term() -> None:
    assert root("kupu-kupu") == Or((Term(None, "kupu", "kupu"), Term(None, "kupukupu", "kupu")))


def test_operators_in_both_languages() -> None:
    assert root("toer AND bumi") == root("toer DAN bumi") == root("toer bumi")
    assert root("toer OR bumi") == root("toer ATAU bumi")
    assert root("toer NOT bumi") == root("toer BUKAN bumi") == root("toer -bumi")
    assert root("toer NOT bumi") == And((Term(None, "tur", "tur"), Not(Term(None, "bumi", "bumi"))))


def test_operators_must_be_capitals() -> None:
    assert root("Bukan pasar malam") == And(
        (Term(None, "bukan", "bukan"), Term(None, "pasar", "pasar"), Term(None, "malam", "malam"))
    )
    assert root("atau") == MatchNone()  # a lowercase "atau" is a stop word


def test_or_binds_tighter_than_and() -> None:
    assert root("sejarah jawa OR sunda") == And(
        (
            Term(None, "sejarah", "sejarah"),
            Or((Term(None, "jawa", "jawa"), Term(None, "sunda", "sunda"))),
        )
    )


def test_parentheses_group() -> None:
    assert root("(sejarah jawa) OR sunda") == Or(
        (
            And((Term(None, "sejarah", "sejarah"), Term(None, "jawa", "jawa"))),
            Term(None, "sunda", "sunda"),
        )
    )


def test_lone_not_matches_everything_else() -> None:
    assert root("NOT jawa") == And((Not(Term(None, "jawa", "jawa")),))


def test_lenient_with_dangling_operators_and_parentheses() -> None:
    assert root("sejarah AND") == Term(None, "sejarah", "sejarah")
    assert root("OR sejarah") == Term(None, "sejarah", "sejarah")
    assert root("(sejarah") == Term(None, "sejarah", "sejarah")
    assert root("sejarah)") == Term(None, "sejarah", "sejarah")
    assert root("NOT") == MatchNone()


def test_isbn10_is_looked_up_as_isbn13() -> None:
    assert root("979-407-177-3") == IsbnIs("9789794071779")
    assert root("9794071773") == IsbnIs("9789794071779")
    assert root("isbn:979-407-177-3") == IsbnIs("9789794071779")


def test_isbn13_with_or_without_hyphens() -> None:
    assert root("978-979-407-177-9") == root("9789794071779") == IsbnIs("9789794071779")


def test_isbn_with_a_wrong_check_digit_is_looked_up_as_printed() -> None:
    assert root("979-407-177-4") == IsbnIs("9794071774")


def test_a_year_is_a_word_not_an_isbn() -> None:
    assert root("1945") == Term(None, "1945", "1945")


def test_blank_matches_all_and_stop_words_match_nothing() -> None:
    assert parse_query("   ") == ParsedQuery(MatchAll())
    assert parse_query("the dan yang") == ParsedQuery(MatchNone())


def test_plain_words_carry_the_exact_title_key() -> None:
    assert parse_query("Bumi Manusia.").title_key == "bumi manusia"
    assert parse_query('"bumi manusia"').title_key is None
    assert parse_query("judul:bumi manusia").title_key is None
    assert parse_query("bumi OR manusia").title_key is None


def test_too_deep_nesting_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query("(" * (MAX_DEPTH + 1) + "buku")
    with pytest.raises(QuerySyntaxError, match="nested"):
        parse_query("NOT " * (MAX_DEPTH + 1) + "buku")


def test_too_long_query_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="longer"):
        parse_query("buku " * 300)


query_pieces = st.sampled_from(
    [
        "buku", "Soekarno", "membaca", "kupu-kupu", "AND", "OR", "NOT", "DAN", "ATAU",
        "BUKAN", "-", "(", ")", '"', "“", ":", "judul:", "title:", "tahun:", "isbn:",
        "pengarang:", "1990-2000", "1945", "979-407-177-3", " ", "  ", "dan", "the", "--",
        "tahun:1990", "x:", "é", "&&", "||",
    ]
)  # fmt: skip
patron_text = st.lists(query_pieces, max_size=20).map(" ".join)
glued_text = st.lists(query_pieces, max_size=20).map("".join)


@settings(max_examples=500)
@given(st.one_of(patron_text, glued_text, st.text(max_size=80)))
def test_parser_returns_a_query_or_a_clear_syntax_error(text: str) -> None:
    try:
        parsed = parse_query(text)
    except QuerySyntaxError as error:
        assert str(error)
    else:
        assert isinstance(parsed, ParsedQuery)
        assert parsed.root is not None
