"""The links of the result pages: a facet value that toggles a filter, removing a filter,
another page, the other language (pure, over query-string pairs)."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

__all__ = ["Pairs", "href", "replaced", "toggled", "without"]

Pairs = Sequence[tuple[str, str]]
# Changing what is searched goes back to the first page.
_RESET = ("page",)


def href(path: str, pairs: Pairs) -> str:
    """``path`` with ``pairs`` as its query string."""
    return f"{path}?{urlencode(list(pairs))}" if pairs else path


def toggled(pairs: Pairs, name: str, value: str) -> list[tuple[str, str]]:
    """The pairs with the filter ``name=value`` added, or removed when it is there; back
    to the first page."""
    kept = [(n, v) for n, v in pairs if n not in _RESET]
    if (name, value) in kept:
        return [pair for pair in kept if pair != (name, value)]
    return [*kept, (name, value)]


def without(pairs: Pairs, name: str, value: str) -> list[tuple[str, str]]:
    """The pairs without the filter ``name=value``; back to the first page."""
    return [(n, v) for n, v in pairs if n not in _RESET and (n, v) != (name, value)]


def replaced(pairs: Pairs, name: str, value: str | None) -> list[tuple[str, str]]:
    """The pairs with ``name`` set to ``value`` (dropped when None), in place."""
    kept = [(n, v) for n, v in pairs if n != name]
    return kept if value is None else [*kept, (name, value)]
