"""The engine-neutral query tree: what the query parser produces and each engine translates.

Terms in the tree are already analyzed (see :mod:`union.search.analysis`), so an engine
never analyzes anything: it maps each node onto its own query objects. ``field`` None on a
:class:`Term` or :class:`Phrase` means "any text field" (weighted by
:data:`union.search.fields.FIELD_BOOSTS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = [
    "And",
    "FacetIn",
    "IsbnIs",
    "MatchAll",
    "MatchNone",
    "Node",
    "Not",
    "Or",
    "ParsedQuery",
    "Phrase",
    "Term",
    "YearBetween",
    "all_of",
    "any_of",
    "has_words",
    "positive_terms",
    "rewrite_positive_terms",
]


@dataclass(frozen=True, slots=True)
class Term:
    """An analyzed term in one text field (None: any). ``surface`` is the folded word it
    came from, which typo correction works on."""

    field: str | None
    term: str
    surface: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """Analyzed terms that must appear next to each other, in order, in one field."""

    field: str | None
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class And:
    """Every child must match; :class:`Not` children exclude."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child must match."""

    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """Documents that do not match ``child``."""

    child: Node


@dataclass(frozen=True, slots=True)
class YearBetween:
    """Year of publication within an inclusive range (None: open end)."""

    low: int | None
    high: int | None


@dataclass(frozen=True, slots=True)
class IsbnIs:
    """Exact ISBN: an ISBN-13 without hyphens, or a misprinted ISBN's digits."""

    isbn: str


@dataclass(frozen=True, slots=True)
class FacetIn:
    """A term facet (see :data:`union.search.fields.FACET_FIELDS`) has one of ``values``."""

    facet: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatchAll:
    """Every document (a blank query)."""


@dataclass(frozen=True, slots=True)
class MatchNone:
    """No document (a query of nothing but stop words)."""


Node = Term | Phrase | And | Or | Not | YearBetween | IsbnIs | FacetIn | MatchAll | MatchNone


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A parsed patron query: the tree, and the exact-title key to boost when the query
    was plain words (None otherwise)."""

    root: Node
    title_key: str | None = None


def all_of(*nodes: Node) -> Node:
    """And of ``nodes``, simplified: nested Ands flattened, MatchAll dropped, MatchNone
    absorbing, a single child returned as is, nothing at all is MatchAll."""
    flat: list[Node] = []
    for node in nodes:
        if isinstance(node, MatchNone):
            return node
        if isinstance(node, And):
            flat.extend(node.children)
        elif not isinstance(node, MatchAll):
            flat.append(node)
    if not flat:
        return MatchAll()
    if len(flat) == 1 and not isinstance(flat[0], Not):
        return flat[0]
    return And(tuple(flat))


def any_of(*nodes: Node) -> Node:
    """Or of ``nodes``, simplified: nested Ors flattened, MatchNone dropped, MatchAll
    absorbing, a single child returned as is, nothing at all is MatchNone."""
    flat: list[Node] = []
    for node in nodes:
        if isinstance(node, MatchAll):
            return node
        if isinstance(node, Or):
            flat.extend(node.children)
        elif not isinstance(node, MatchNone):
            flat.append(node)
    if not flat:
        return MatchNone()
    if len(flat) == 1:
        return flat[0]
    return Or(tuple(dict.fromkeys(flat)))


def has_words(node: Node) -> bool:
    """Whether the tree searches for words or an ISBN (rather than only filtering)."""
    if isinstance(node, Term | Phrase | IsbnIs):
        return True
    if isinstance(node, And | Or):
        return any(has_words(child) for child in node.children)
    if isinstance(node, Not):
        return has_words(node.child)
    return False


def _positive(node: Node) -> Iterator[Term | Phrase]:
    if isinstance(node, Term | Phrase):
        yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _positive(child)


def positive_terms(node: Node, field: str | None = None) -> set[str]:
    """The terms a matching document may contain (not under a Not), restricted to
    ``field`` and unfielded nodes when ``field`` is given. Used for highlighting."""
    found: set[str] = set()
    for leaf in _positive(node):
        if field is not None and leaf.field not in (None, field):
            continue
        if isinstance(leaf, Term):
            found.add(leaf.term)
        else:
            found.update(leaf.terms)
    return found


def rewrite_positive_terms(node: Node, rewrite: Callable[[Term], Node]) -> Node:
    """``node`` with every Term outside a Not replaced by ``rewrite(term)``."""
    if isinstance(node, Term):
        return rewrite(node)
    if isinstance(node, And):
        return And(tuple(rewrite_positive_terms(child, rewrite) for child in node.children))
    if isinstance(node, Or):
        return Or(tuple(rewrite_positive_terms(child, rewrite) for child in node.children))
    return node
