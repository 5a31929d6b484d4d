"""The demo catalogue, harvested and indexed once for the catalogue service's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.union.catalogue.demo import DemoCatalogue, open_demo_catalogue


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCatalogue]:
    """The harvested, clustered and indexed demo catalogue (read only: do not change it)."""
    catalogue = open_demo_catalogue(tmp_path_factory.mktemp("demo-catalogue"))
    yield catalogue
    catalogue.engine.close()
    catalogue.store.dispose()
