"""Fixtures for the search tests: an empty and a loaded index on each engine (a real index
in a temporary directory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.union.search.catalogue import CATALOGUE
from union.search.engine import ENGINES, SearchEngine, open_engine


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Each engine's name in turn."""
    return request.param


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    """A fresh directory for an index."""
    return tmp_path / "index"


@pytest.fixture
def empty_engine(engine_name: str, index_dir: Path) -> Iterator[SearchEngine]:
    """An empty index on each engine."""
    engine = open_engine(engine_name, index_dir)
    yield engine
    engine.close()


@pytest.fixture
def engine(empty_engine: SearchEngine) -> SearchEngine:
    """An index of :data:`CATALOGUE` on each engine."""
    empty_engine.add(CATALOGUE)
    empty_engine.commit()
    return empty_engine
