"""The JSON API served over the harvested demo catalogue on 127.0.0.1, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.union.catalogue.demo import DemoCatalogue, api_app, demo, serve_in_thread

__all__ = ["api_url", "demo"]


@pytest.fixture(scope="session")
def api_url(demo: DemoCatalogue) -> Iterator[str]:
    """The base URL of a real server with the API over the demo catalogue."""
    yield from serve_in_thread(api_app(demo))
