"""Canonical JSON: one byte string per value, so signatures and hash chains are reproducible."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Encode ``value`` as compact UTF-8 JSON with sorted keys.

    Two equal values always give the same bytes, whichever order their dicts were built in.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")
