"""The harvested demo catalogue with its search index, and the JSON API served from it on
127.0.0.1 in a thread of its own (so that synchronous clients such as schemathesis can
call it)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from tests.support.federation import harvest_demo_catalogue
from union import api
from union.config import Federation
from union.local_content import LocalMatcher
from union.search.engine import SearchEngine, open_engine
from union.search.live_index import rebuild_index
from union.server.context import CONTEXT, ServerContext
from union.store.engine import Store


@dataclass(frozen=True, slots=True)
class DemoCatalogue:
    """The demo federation harvested into a store, and its works indexed."""

    federation: Federation
    store: Store
    engine: SearchEngine


def open_demo_catalogue(folder: Path) -> DemoCatalogue:
    """Harvest the demo catalogue into ``folder`` and index its live works."""
    federation = harvest_demo_catalogue(folder)
    store = Store(federation.union.database)
    engine_name = federation.union.search_engine
    rebuild_index(engine_name, federation.union.index, store, LocalMatcher(federation.local))
    return DemoCatalogue(federation, store, open_engine(engine_name, federation.union.index))


def api_app(catalogue: DemoCatalogue) -> web.Application:
    """An application with the API alone, over ``catalogue``."""
    context = ServerContext(catalogue.federation, catalogue.store,
                            lambda: datetime.now(UTC), catalogue.engine)
    app = web.Application()
    app[CONTEXT] = context
    api.setup(app, context)
    return app


def serve_in_thread(app: web.Application) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 from an event loop in its own thread;
    yields the base URL, and stops the server after."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app)
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoCatalogue]:
    """The harvested, clustered and indexed demo catalogue (read only: do not change it)."""
    catalogue = open_demo_catalogue(tmp_path_factory.mktemp("demo-catalogue"))
    yield catalogue
    catalogue.engine.close()
    catalogue.store.dispose()
