"""From a :class:`~union.search.engine.SearchQuery` to the tree an engine runs (pure).

The patron's query, the facet filters and the year bounds become one tree; the plan also
carries the exact-title key to boost and the terms to highlight in titles.
"""

from __future__ import annotations

from dataclasses import dataclass

from union.search.engine import SearchQuery
from union.search.fields import TITLE
from union.search.query import parse_query, parse_year_range
from union.search.tree import (
    FacetIn,
    Node,
    ParsedQuery,
    YearBetween,
    all_of,
    any_of,
    positive_terms,
)

__all__ = ["Plan", "filter_nodes", "plan_search"]


@dataclass(frozen=True, slots=True)
class Plan:
    """What an engine executes: ``root`` (query and filters), the exact-title key to
    boost (or None) and the terms that mark title words as matches."""

    root: Node
    title_key: str | None
    highlight_terms: frozenset[str]

    @classmethod
    def of(cls, root: Node, title_key: str | None) -> Plan:
        """A plan for ``root``, its highlight terms taken from the tree."""
        return cls(root, title_key, frozenset(positive_terms(root, TITLE)))


def filter_nodes(query: SearchQuery) -> list[Node]:
    """The filters of ``query`` as tree nodes (values of one facet are alternatives).

    A "year" filter value is a year range in query syntax; a malformed one raises
    :class:`~union.search.query.QuerySyntaxError`.
    """
    nodes: list[Node] = []
    for facet, values in query.filters.items():
        wanted = tuple(dict.fromkeys(str(value) for value in values))
        if not wanted:
            continue
        if facet == "year":
            nodes.append(any_of(*(YearBetween(*parse_year_range(value)) for value in wanted)))
        else:
            nodes.append(FacetIn(facet, wanted))
    if query.year_from is not None or query.year_to is not None:
        nodes.append(YearBetween(query.year_from, query.year_to))
    return nodes


def plan_search(query: SearchQuery) -> Plan:
    """Parse (when given text) and combine with the filters."""
    tree = (parse_query(query.query) if isinstance(query.query, str)
            else ParsedQuery(query.query))
    return Plan.of(all_of(tree.root, *filter_nodes(query)), tree.title_key)
