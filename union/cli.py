"""The ``union`` command: ``union --config FILE init | harvest | status | demo | works |
explain``."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from contextlib import AsyncExitStack
from datetime import UTC, datetime

from union.config import ConfigError, Federation, load_federation
from union.feed.commands import add_feed_verbs
from union.harvest import SourceSummary, harvest_federation
from union.harvest_progress import RichProgress, summary_table
from union.harvest_runs import register_federation
from union.search.commands import add_search_verbs, catch_up_index
from union.server.commands import add_serve_verbs
from union.staff.commands import add_staff_verbs
from union.staff.desk_commands import add_desk_verbs
from union.status import federation_status
from union.store.engine import Store
from union.store.migrate import upgrade
from union.sync_node.commands import add_sync_verbs
from union.works.commands import add_work_verbs


def utc_now() -> datetime:
    """The wall clock, in UTC: the one clock the edges hand to the core."""
    return datetime.now(UTC)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.config is None:
        # A verb that reads no federation (the sync simulator) runs without one.
        if not getattr(args, "needs_config", True):
            return int(args.run(None, args))
        parser.error("the following arguments are required: --config")
    try:
        federation = load_federation(args.config)
    except ConfigError as exc:
        print(f"Kesalahan konfigurasi / configuration error: {exc}", file=sys.stderr)
        return 2
    return int(args.run(federation, args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="union", description="Katalog induk perpustakaan / federated union catalogue"
    )
    parser.add_argument("--config", help="federation file (TOML); may also follow the verb")
    verbs = parser.add_subparsers(dest="verb", required=True)
    verbs.add_parser("init", help="create or upgrade the store and register the branches"
                     ).set_defaults(run=_init)
    harvest = verbs.add_parser("harvest", help="harvest the branches' catalogues")
    harvest.add_argument("--source", action="append", metavar="CODE",
                         help="only this branch (repeatable)")
    harvest.add_argument("--full", action="store_true",
                         help="list everything again instead of only changes")
    harvest.set_defaults(run=_harvest)
    status = verbs.add_parser("status", help="where every branch's harvest stands")
    status.add_argument("--json", action="store_true", help="one JSON object keyed by branch")
    status.set_defaults(run=_status)
    verbs.add_parser("demo", help="init, start the demo feeds, harvest everything"
                     ).set_defaults(run=_demo)
    # Works (de-duplication): the verbs and their logic live in union.works.commands.
    add_work_verbs(verbs, open_store, utc_now)
    add_feed_verbs(verbs, open_store, utc_now)  # OAI-PMH feed and MARC export
    add_serve_verbs(verbs, open_store, utc_now)
    add_search_verbs(verbs, open_store, utc_now)
    add_staff_verbs(verbs, open_store, utc_now)
    # sync, branch, audit; and the staff desk's verbs under sync (union.staff.desk_commands)
    add_desk_verbs(add_sync_verbs(verbs, open_store, utc_now), open_store, utc_now)
    _accept_config_after_verbs(verbs)
    return parser


def _accept_config_after_verbs(verbs: argparse._SubParsersAction) -> None:
    """Let ``--config`` follow the verb too (``union branch --config FILE``): staff type
    it either way. SUPPRESS keeps a value given before the verb."""
    for sub in set(verbs.choices.values()):
        sub.add_argument("--config", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _accept_config_after_verbs(action)


def open_store(federation: Federation) -> Store:
    """The store named by the federation file, migrated and with its branches registered."""
    store = Store(federation.union.database)
    upgrade(store.engine)
    with store.write() as session:
        register_federation(session, federation)
    return store


def _init(federation: Federation, _args: argparse.Namespace) -> int:
    store = open_store(federation)
    store.dispose()
    federation.union.index.mkdir(parents=True, exist_ok=True)
    print(f"Siap / ready: {federation.union.name} — {len(federation.branches)} cabang/branches, "
          f"basis data/database {federation.union.database}")
    return 0


def _harvest(federation: Federation, args: argparse.Namespace) -> int:
    try:
        only = args.source and [federation.branch(code).code for code in args.source]
    except ConfigError as exc:
        print(f"Kesalahan / error: {exc}", file=sys.stderr)
        return 2
    store = open_store(federation)
    try:
        summaries = asyncio.run(_run_harvest(federation, store, only, args.full))
        catch_up_index(federation, store)
    finally:
        store.dispose()
    return 0 if all(s.status == "complete" for s in summaries) else 1


async def _run_harvest(federation: Federation, store: Store, only: Sequence[str] | None,
                       full: bool) -> list[SourceSummary]:
    with RichProgress() as progress:
        summaries = await harvest_federation(federation, store, utc_now, only=only, full=full,
                                             progress=progress)
    progress.console.print(summary_table(summaries))
    return summaries


def _status(federation: Federation, args: argparse.Namespace) -> int:
    store = open_store(federation)
    try:
        with store.read() as session:
            status = federation_status(session)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
        return 0
    for code, entry in status.items():
        last = entry["last_run"] or {}
        print(f"{code:10} {entry['name']}: {entry['live']} aktif/live, "
              f"{entry['deleted']} dihapus/deleted, terakhir/last run "
              f"{last.get('status', '-')} {last.get('finished') or ''}"
              + (f" — galat/error: {entry['last_error']}" if entry["last_error"] else ""))
    return 0


def _demo(federation: Federation, _args: argparse.Namespace) -> int:
    store = open_store(federation)
    try:
        summaries = asyncio.run(_demo_harvest(federation, store))
        catch_up_index(federation, store)
    finally:
        store.dispose()
    return 0 if all(s.status == "complete" for s in summaries) else 1


async def _demo_harvest(federation: Federation, store: Store) -> list[SourceSummary]:
    # Imported here: only the demo serves feeds, the rest of the CLI never needs a server.
    from union.demo_feed.server import serve_feed

    async with AsyncExitStack() as feeds:
        for feed in federation.demo_feeds:
            url = await feeds.enter_async_context(
                serve_feed(feed.marc_path, port=feed.port, page_size=feed.page_size)
            )
            print(f"Umpan OAI-PMH contoh / demo OAI-PMH feed: {url}")
        return await _run_harvest(federation, store, None, False)


if __name__ == "__main__":
    sys.exit(main())
