"""The ``union serve`` verb: the web node, with its scheduled harvests."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from typing import Any

from union.config import Federation
from union.local_content import LocalMatcher
from union.search.engine import SearchEngine, open_engine
from union.search.layout import IndexLayoutError
from union.search.live_index import LiveIndex, rebuild_index
from union.server.context import Clock
from union.server.node import NodeOptions, run_node
from union.store.engine import Store
from union.sync_node.catalogue import custody_of_displays

__all__ = ["add_serve_verbs"]


def add_serve_verbs(verbs: Any, open_store: Callable[[Federation], Store],
                    utc_now: Clock) -> None:
    """Register ``serve`` on the CLI's sub-parsers."""
    serve = verbs.add_parser(
        "serve", help="serve the catalogue, API, OAI-PMH feed and sync hub on one port, "
                      "running the scheduled harvests")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080,
                       help="port to listen on (0: any free port)")
    serve.add_argument("--no-harvest", dest="harvest", action="store_false",
                       help="serve only; leave the scheduled harvests to another node")
    serve.add_argument("--workers", type=_positive, default=1,
                       help="processes answering requests on the port (one per core; the "
                            "first alone writes the index and runs the background work)")
    serve.set_defaults(run=lambda federation, args: _serve(federation, args, open_store,
                                                             utc_now))


def _serve(federation: Federation, args: argparse.Namespace,
           open_store: Callable[[Federation], Store], utc_now: Clock) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    store = open_store(federation)
    engine = _open_index(federation, store)
    index = LiveIndex(engine, federation.union.index, store, LocalMatcher(federation.local),
                      custody=custody_of_displays)
    options = NodeOptions(host=args.host, port=args.port, harvest=args.harvest,
                          workers=args.workers)

    def ready(url: str) -> None:
        print(f"Katalog induk siap di / union catalogue serving at {url}\n"
              "Tekan Ctrl+C untuk berhenti / press Ctrl+C to stop", flush=True)

    try:
        asyncio.run(run_node(federation, store, index, utc_now, options, ready=ready,
                             open_store=open_store))
    finally:
        engine.close()
        store.dispose()
    print("Berhenti / stopped", flush=True)
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"harus 1 atau lebih / must be 1 or more: {value}")
    return value


def _open_index(federation: Federation, store: Store) -> SearchEngine:
    """The node's search index; one of another engine or layout (or none) is rebuilt
    from the store first."""
    name, directory = federation.union.search_engine, federation.union.index
    try:
        return open_engine(name, directory)
    except IndexLayoutError:
        rebuild_index(name, directory, store, LocalMatcher(federation.local),
                      custody=custody_of_displays)
        return open_engine(name, directory)
