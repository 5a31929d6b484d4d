"""The ``union`` command's search-index verb, and the catch-up other verbs run:

    union --config F reindex     rebuild the node's search index from the store
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from union.config import Federation
from union.local_content import LocalMatcher
from union.search.engine import IndexBusy, open_engine
from union.search.layout import IndexLayoutError
from union.search.live_index import CatchUp, LiveIndex, read_cursor, rebuild_index
from union.store.engine import Store
from union.sync_node.catalogue import custody_of_displays

__all__ = ["add_search_verbs", "catch_up_index"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]


def add_search_verbs(verbs: Any, open_store: OpenStore, clock: Clock) -> None:
    """Add the ``reindex`` verb to the CLI's subparsers."""
    del clock  # the index keeps no time of its own: its cursor is a change-log seq
    reindex = verbs.add_parser(
        "reindex", help="bangun ulang indeks pencarian / rebuild the search index")
    reindex.add_argument(
        "--workers", type=_workers, default=None,
        help="proses analisis (0: proses ini saja; bawaan: satu per inti) / analysis "
             "processes (0: this process only; default: one per core)")
    reindex.set_defaults(run=lambda f, a: _reindex(f, a, open_store))


def _workers(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"harus 0 atau lebih / must be 0 or more: {value}")
    return value


def _reindex(federation: Federation, args: argparse.Namespace, open_store: OpenStore) -> int:
    store = open_store(federation)
    try:
        report = rebuild_index(federation.union.search_engine, federation.union.index, store,
                               LocalMatcher(federation.local), custody=custody_of_displays,
                               workers=args.workers)
    finally:
        store.dispose()
    print(f"Indeks pencarian / search index ({federation.union.search_engine}): "
          f"{report.added} karya/works, {report.seconds:.2f} s, "
          f"perubahan/change log #{report.cursor}")
    return 0


def catch_up_index(federation: Federation, store: Store) -> CatchUp:
    """Bring the federation's search index up to date with the store (what ``harvest``
    runs after clustering); an index of another engine or layout is rebuilt. When another
    process holds the index's writer (``union serve`` follows the change log itself),
    nothing is done, and that is said."""
    matcher = LocalMatcher(federation.local)
    name, directory = federation.union.search_engine, federation.union.index
    try:
        engine = open_engine(name, directory)
    except IndexLayoutError:
        return rebuild_index(name, directory, store, matcher, custody=custody_of_displays)
    try:
        return LiveIndex(engine, directory, store, matcher,
                         custody=custody_of_displays).catch_up()
    except IndexBusy:
        print("Indeks pencarian sedang ditulis proses lain (union serve), yang akan "
              "memperbaruinya sendiri / the search index is held by another process "
              "(union serve), which brings it up to date itself", file=sys.stderr)
        return CatchUp(cursor=read_cursor(Path(directory)))
    finally:
        engine.close()
