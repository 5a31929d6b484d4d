"""Escaping for hand-built XML: the feed builds its responses as strings because that is
several times faster than building lxml trees (see the benchmark in tests/union/feed).

Characters XML 1.0 forbids (C0 controls other than tab, newline and return; lone
surrogates; U+FFFE/U+FFFF) are dropped: catalogue data from MARC sometimes carries them,
and one stray byte must not make a whole page unparseable.
"""

from __future__ import annotations

import re

# Anything that needs work; the common case (plain text) is one regex search and no copy.
_TEXT_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTR_WORK = re.compile("[&<>\"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: str) -> str:
    """Escape ``value`` for element content."""
    if _TEXT_WORK.search(value) is None:
        return value
    value = _FORBIDDEN.sub("", value)
    # "\r" as a reference, or the parser would turn it into "\n".
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def attribute(value: str) -> str:
    """Escape ``value`` for a double-quoted attribute (whitespace kept as references,
    which attribute-value normalization would otherwise turn into spaces)."""
    if _ATTR_WORK.search(value) is None:
        return value
    value = _FORBIDDEN.sub("", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def is_xml_safe(value: str) -> bool:
    """True when ``value`` has no character XML 1.0 forbids."""
    return _FORBIDDEN.search(value) is None
