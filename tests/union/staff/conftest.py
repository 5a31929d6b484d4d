"""A store on both backends with the demo federation's four branches registered."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.federation import demo_catalogue_federation
from union.config import Federation, load_federation
from union.harvest_runs import register_federation
from union.store.engine import Store


@pytest.fixture
def federation(tmp_path: Path) -> Federation:
    """The demo federation (KOTA, DESA1, DESA2, DESA3), not harvested."""
    return load_federation(demo_catalogue_federation(tmp_path), {})


@pytest.fixture
def branches(store: Store, federation: Federation) -> Store:
    """The migrated store with the federation's branches registered."""
    with store.write() as session:
        register_federation(session, federation)
    return store
