"""The marker file that says which engine and index layout a directory holds.

An index is derived data: when the layout (fields, analysis) changes, an old index must
be rebuilt rather than searched with the wrong assumptions. The marker makes that an
explicit error instead of silently wrong results.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["LAYOUT_FILE", "IndexLayoutError", "claim_directory"]

LAYOUT_FILE = "union-search.json"


class IndexLayoutError(RuntimeError):
    """The directory holds another engine's index or an older layout: rebuild it."""


def claim_directory(directory: str | Path, engine: str, version: int) -> Path:
    """Create ``directory`` if needed and check (or write) its layout marker.

    Raises :class:`IndexLayoutError` when the directory was written by another engine or
    another layout version.
    """
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    marker = path / LAYOUT_FILE
    wanted = {"engine": engine, "layout": version}
    if marker.exists():
        found = json.loads(marker.read_text(encoding="utf-8"))
        if found != wanted:
            raise IndexLayoutError(
                f"{path} holds a {found.get('engine')} index of layout {found.get('layout')}, "
                f"not {engine} layout {version}: rebuild the search index"
            )
    else:
        marker.write_text(json.dumps(wanted), encoding="utf-8")
    return path
