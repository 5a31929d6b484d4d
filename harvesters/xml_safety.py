"""The one way XML from branches is parsed: no entity expansion, no network, no DTDs, no
huge trees. An entity bomb or an external entity is refused, never expanded or fetched."""

from __future__ import annotations

from typing import Any

from lxml import etree

SAFE_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
}


def safe_parser(**options: Any) -> etree.XMLParser:
    """A fresh safe parser (lxml parsers keep state and are not thread-safe), with any
    further ``options`` such as ``remove_comments``."""
    return etree.XMLParser(**SAFE_OPTIONS, **options)
