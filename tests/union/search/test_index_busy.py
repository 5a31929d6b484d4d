"""A second writer of one index directory is told the index is busy, on each engine, and
loses nothing: the first writer's changes and the index stay as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.union.search.catalogue import CATALOGUE
from union.search.documents import SearchDocument
from union.search.engine import IndexBusy, SearchEngine, SearchQuery, open_engine


def test_a_second_writer_is_told_the_index_is_busy(
    engine_name: str, empty_engine: SearchEngine, index_dir: Path
) -> None:
    empty_engine.add(CATALOGUE)  # holds the writer until it commits
    other = open_engine(engine_name, index_dir)
    try:
        with pytest.raises(IndexBusy):
            other.add([SearchDocument("lain", "Rumah kaca")])
        empty_engine.commit()
        other.refresh()
        assert other.search(SearchQuery("")).total == len(CATALOGUE)
    finally:
        other.close()
