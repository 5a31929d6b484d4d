"""The ``union`` command's verbs about the feed, kept apart from the main CLI module:

    union --config F export --format marc|marcxml [--branch CODE] [--output FILE]
    union --config F feed                       bring the OAI-PMH feed up to date now
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from union.config import ConfigError, Federation
from union.feed.export import export_catalogue
from union.feed.follower import refresh_feed
from union.feed.work_records import Branches
from union.store.engine import Store

__all__ = ["add_feed_verbs"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]


def add_feed_verbs(verbs: Any, open_store: OpenStore, clock: Clock) -> None:
    """Add the ``export`` and ``feed`` verbs to the CLI's subparsers."""
    export = verbs.add_parser("export", help="ekspor katalog induk / export the union "
                                             "catalogue as MARC")
    export.add_argument("--format", choices=("marc", "marcxml"), default="marc",
                        help="marc: ISO 2709 (UTF-8); marcxml: one MARCXML collection")
    export.add_argument("--branch", metavar="CODE", help="only works this branch holds")
    export.add_argument("--output", type=Path, metavar="FILE", help="default: stdout")
    export.set_defaults(run=lambda f, a: _export(f, a, open_store))
    feed = verbs.add_parser("feed", help="perbarui umpan OAI-PMH / bring the OAI-PMH "
                                         "feed up to date")
    feed.set_defaults(run=lambda f, a: _feed(f, open_store, clock))


def _export(federation: Federation, args: argparse.Namespace, open_store: OpenStore) -> int:
    try:
        branch = federation.branch(args.branch).code if args.branch else None
    except ConfigError as exc:
        print(f"Kesalahan / error: {exc}", file=sys.stderr)
        return 2
    store = open_store(federation)
    try:
        with ExitStack() as stack:
            out: BinaryIO = (stack.enter_context(args.output.open("wb")) if args.output
                             else sys.stdout.buffer)
            written = export_catalogue(store, Branches.of(federation), out, args.format,
                                       branch)
            out.flush()
    finally:
        store.dispose()
    print(f"Diekspor / exported: {written} karya/works", file=sys.stderr)
    return 0


def _feed(federation: Federation, open_store: OpenStore, clock: Clock) -> int:
    store = open_store(federation)
    try:
        report = refresh_feed(store, Branches.of(federation), clock)
    finally:
        store.dispose()
    print(f"Umpan OAI-PMH / OAI-PMH feed: {report.examined} diperiksa/examined, "
          f"{report.published} diterbitkan/published, {report.deleted} dihapus/deleted")
    return 0
