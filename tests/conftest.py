"""Fixtures shared by every test folder: the shared data folder, and the store on both
backends (a real SQLite file and a real throwaway PostgreSQL cluster)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.paths import SHARED
from tests.support.postgres import Cluster, throwaway_cluster
from union.store.engine import Store
from union.store.migrate import upgrade


@pytest.fixture(scope="session")
def shared() -> Path:
    """The shared folder beside the repository (schemas, fixtures, data)."""
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: tests read real data from ../shared")
    return SHARED


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the whole test session."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'union.db'}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on each backend."""
    store = Store(store_url)
    upgrade(store.engine)
    yield store
    store.dispose()
