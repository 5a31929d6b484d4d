"""The patron query parser: a search box string in, an engine-neutral tree out.

Syntax (Indonesian keywords with English aliases):

* Words are ANDed: ``sejarah jawa`` finds works with both.
* Fields: ``judul:``/``title:``, ``pengarang:``/``penulis:``/``author:``,
  ``subjek:``/``subject:``, ``penerbit:``/``publisher:``, ``seri:``/``series:``,
  ``isbn:``, ``tahun:``/``year:``. A field applies to the word, phrase or parenthesized
  group right after it: ``judul:"bumi manusia"``, ``pengarang:(toer OR pramudya)``.
  ``tahun:`` takes a year or a range: ``1998``, ``1990-2000``, ``-1969``, ``2010-``.
  An unknown prefix ("Islam:") is read as ordinary words.
* ``"phrases"`` (straight or curly quotes); an unclosed quote runs to the end.
* Operators, only when written in capitals so that titles such as *Bukan Pasar Malam*
  stay searchable: ``AND``/``DAN``, ``OR``/``ATAU``, ``NOT``/``BUKAN``, and ``-word``.
  OR binds tighter than AND (as in web search engines): ``sejarah jawa OR sunda`` is
  sejarah AND (jawa OR sunda). Parentheses group.
* A bare ISBN (ISBN-10 or -13, hyphens or not, valid check digit) is an exact ISBN lookup;
  an ISBN-10 is looked up as its ISBN-13.
* A query of plain words also carries an exact-title key, so the work whose title is
  exactly what was typed ranks first.

The parser is lenient where a patron's intent is clear: dangling operators, a stray ``)``
or a missing one are ignored or closed. It raises :class:`QuerySyntaxError` (with a
message fit to show) only for a bad ``tahun:`` value, a query over
:data:`MAX_QUERY_LENGTH` characters, or nesting deeper than :data:`MAX_DEPTH`.

Typo tolerance is not the parser's business: the search layer retries a query that found
nothing with corrected words (see :mod:`union.search.typos`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from union.normalize.identifiers import isbn13
from union.search.analysis import Token, title_key, tokens
from union.search.fields import AUTHOR, PUBLISHER, SERIES, SUBJECT, TITLE
from union.search.tree import (
    IsbnIs,
    MatchAll,
    MatchNone,
    Node,
    Not,
    ParsedQuery,
    Phrase,
    Term,
    YearBetween,
    all_of,
    any_of,
)

__all__ = [
    "FIELD_ALIASES",
    "MAX_DEPTH",
    "MAX_QUERY_LENGTH",
    "QuerySyntaxError",
    "parse_query",
    "parse_year_range",
    "term_node",
]

MAX_QUERY_LENGTH = 1000
MAX_DEPTH = 20

ISBN_FIELD = "isbn"
YEAR_FIELD = "year"
#: Query field prefixes (casefolded) and the index field each searches.
FIELD_ALIASES: dict[str, str] = {
    "judul": TITLE,
    "title": TITLE,
    "pengarang": AUTHOR,
    "penulis": AUTHOR,
    "author": AUTHOR,
    "subjek": SUBJECT,
    "subject": SUBJECT,
    "topik": SUBJECT,
    "penerbit": PUBLISHER,
    "publisher": PUBLISHER,
    "seri": SERIES,
    "series": SERIES,
    "isbn": ISBN_FIELD,
    "tahun": YEAR_FIELD,
    "year": YEAR_FIELD,
}
_AND = frozenset({"AND", "DAN", "&&"})
_OR = frozenset({"OR", "ATAU", "||"})
_NOT = frozenset({"NOT", "BUKAN"})
_QUOTES = '"“”„'
_WORD_END = re.compile(r'[\s()"“”„]')
_ISBN_SHAPED = re.compile(r"\d[\d\-]{8,15}[\dXx]")
_NOT_ISBN_CHARACTER = re.compile(r"[^0-9X]")
_YEAR_RANGE = re.compile(r"(\d{1,4})?\s*(?:-|–|—|\.\.)\s*(\d{1,4})?")
_YEAR = re.compile(r"\d{1,4}")


class QuerySyntaxError(ValueError):
    """A query that cannot be understood; the message is meant for the patron."""


@dataclass(frozen=True, slots=True)
class _Lexeme:
    kind: str  # "word", "phrase", "field", "and", "or", "not", "(", ")"
    text: str = ""


def _lex(text: str) -> list[_Lexeme]:
    out: list[_Lexeme] = []
    i, size = 0, len(text)
    while i < size:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Lexeme(ch))
            i += 1
        elif ch in _QUOTES:
            end = i + 1
            while end < size and text[end] not in _QUOTES:
                end += 1
            out.append(_Lexeme("phrase", text[i + 1 : end]))
            i = end + 1
        elif ch == "-" and i + 1 < size and not text[i + 1].isspace() and text[i + 1] != "-":
            out.append(_Lexeme("not"))
            i += 1
        else:
            match = _WORD_END.search(text, i)
            end = match.start() if match else size
            _lex_word(text[i:end], out)
            i = end
    return out


def _lex_word(word: str, out: list[_Lexeme]) -> None:
    if word in _AND:
        out.append(_Lexeme("and"))
    elif word in _OR:
        out.append(_Lexeme("or"))
    elif word in _NOT:
        out.append(_Lexeme("not"))
    else:
        prefix, colon, rest = word.partition(":")
        field = FIELD_ALIASES.get(prefix.casefold()) if colon else None
        if field is None:
            out.append(_Lexeme("word", word))
        else:
            out.append(_Lexeme("field", field))
            if rest:
                out.append(_Lexeme("word", rest))


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """Read "1998", "1990-2000", "1990..2000", "-1969" or "2010-" as (low, high).

    Raises QuerySyntaxError for anything else, or a range that runs backwards.
    """
    value = text.strip()
    if _YEAR.fullmatch(value):
        return int(value), int(value)
    match = _YEAR_RANGE.fullmatch(value)
    if match is None or not (match.group(1) or match.group(2)):
        raise QuerySyntaxError(f"tahun: expects a year or a range such as 1990-2000, not {text!r}")
    low = int(match.group(1)) if match.group(1) else None
    high = int(match.group(2)) if match.group(2) else None
    if low is not None and high is not None and low > high:
        raise QuerySyntaxError(f"tahun: the range {text!r} runs backwards")
    return low, high


def _isbn_value(text: str) -> str:
    compact = _NOT_ISBN_CHARACTER.sub("", text.upper())
    return isbn13(compact) or compact


def _as_isbn(word: str) -> str | None:
    """The ISBN-13 of a word shaped like an ISBN-10 or -13 (hyphens allowed), or its
    digits when the check digit is wrong (misprinted ISBNs are indexed as printed)."""
    if not _ISBN_SHAPED.fullmatch(word):
        return None
    compact = _NOT_ISBN_CHARACTER.sub("", word.upper())
    if len(compact) not in (10, 13) or "X" in compact[:-1]:
        return None
    return isbn13(compact) or compact


def term_node(field: str | None, token: Token) -> Node:
    """The node for one analyzed token: its term, or any of its terms when the token
    has variants (a reduplicated lexeme: "kupu" or "kupukupu")."""
    node = Term(field, token.term, token.surface)
    if not token.variants:
        return node
    return any_of(node, *(Term(field, variant, token.surface) for variant in token.variants))


def _text_node(field: str | None, text: str) -> Node | None:
    found = tokens(text)
    if not found:
        return None
    if len(found) == 1:
        return term_node(field, found[0])
    # A phrase, or one typed word that analyzes to several ("Indonesia-Jerman"): the
    # terms must stay together.
    return Phrase(field, tuple(term for token in found for term in token.terms))


class _Parser:
    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.at = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self) -> _Lexeme:
        lexeme = self.lexemes[self.at]
        self.at += 1
        return lexeme

    def parse(self) -> Node | None:
        parts: list[Node] = []
        while self.peek() is not None:
            node = self.conjunction(None, 0)
            if node is not None:
                parts.append(node)
            stray = self.peek()
            if stray is not None and stray.kind == ")":
                self.take()  # a stray ")" is ignored
        return all_of(*parts) if parts else None

    def conjunction(self, field: str | None, depth: int) -> Node | None:
        parts: list[Node] = []
        while (lexeme := self.peek()) is not None and lexeme.kind != ")":
            if lexeme.kind == "and":
                self.take()
                continue
            node = self.disjunction(field, depth)
            if node is not None:
                parts.append(node)
        return all_of(*parts) if parts else None

    def disjunction(self, field: str | None, depth: int) -> Node | None:
        options = [self.unary(field, depth)]
        while (lexeme := self.peek()) is not None and lexeme.kind == "or":
            self.take()
            options.append(self.unary(field, depth))
        kept = [node for node in options if node is not None]
        return any_of(*kept) if kept else None

    def unary(self, field: str | None, depth: int) -> Node | None:
        lexeme = self.peek()
        if lexeme is not None and lexeme.kind == "not":
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError("too many nested NOT operators")
            self.take()
            operand = self.unary(field, depth + 1)
            return None if operand is None else Not(operand)
        return self.primary(field, depth)

    def primary(self, field: str | None, depth: int) -> Node | None:
        lexeme = self.peek()
        if lexeme is None or lexeme.kind == ")":
            return None
        self.take()
        if lexeme.kind == "(":
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError("too many nested parentheses")
            inner = self.conjunction(field, depth + 1)
            if self.peek() is not None:
                self.take()  # the closing ")"; a missing one is implied at the end
            return inner
        if lexeme.kind == "field":
            following = self.peek()
            if following is None or following.kind not in ("word", "phrase", "("):
                return None  # "judul:" with nothing after it
            return self.primary(lexeme.text, depth)
        if lexeme.kind in ("word", "phrase"):
            return self.value(field, lexeme)
        return None  # a dangling AND / OR

    def value(self, field: str | None, lexeme: _Lexeme) -> Node | None:
        text = lexeme.text
        if field == YEAR_FIELD:
            return YearBetween(*parse_year_range(text))
        if field == ISBN_FIELD:
            value = _isbn_value(text)
            return IsbnIs(value) if value else None
        if field is None and lexeme.kind == "word" and (isbn := _as_isbn(text)):
            return IsbnIs(isbn)
        return _text_node(field, text)


def _is_plain(lexemes: list[_Lexeme]) -> bool:
    return bool(lexemes) and all(lexeme.kind == "word" for lexeme in lexemes)


def parse_query(text: str) -> ParsedQuery:
    """Parse a patron's query (see the module docstring for the syntax).

    A blank query matches everything; a query whose words are all stop words matches
    nothing. Raises :class:`QuerySyntaxError` for what cannot be understood.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    lexemes = _lex(text)
    if not lexemes:
        return ParsedQuery(MatchAll())
    root = _Parser(lexemes).parse()
    if root is None:
        return ParsedQuery(MatchNone())
    key = title_key(text) if _is_plain(lexemes) and not isinstance(root, IsbnIs) else None
    return ParsedQuery(root, key or None)
