"""The staff desk as ``union sync`` verbs, for staff (and scripts) at a terminal. Every verb
acts as one branch (``--branch``, by default a village agent's own ``[sync] branch``) with
that branch's signing key from ``[sync] key_dir``, through the same action table as the
staff pages and JSON API:

    union --config F sync request --branch CODE (--work ID | --item CODE/BARCODE)
    union --config F sync will-supply|unfilled|retry-possible --branch CODE LEG [--item ITEM]
    union --config F sync ship --branch CODE LEG [--due YYYY-MM-DD]
    union --config F sync receive|lend|return|ship-back|renew|checkin|recall --branch CODE LEG
    union --config F sync cancel --branch CODE REQUEST
    union --config F sync transfer --branch CODE --to DEST ITEM [ITEM ...]
    union --config F sync transfer-accept|-decline|-withdraw|-ship|-receive --branch CODE ID
    union --config F sync desk --branch CODE [BOARD]      what waits, as JSON

What a verb prints is what the API answers (a new id, a due date, or a board as JSON);
a refused action prints the reason on standard error and exits 1 (2 for bad input).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from datetime import date, datetime
from typing import Any

from union.config import Federation
from union.staff import boards
from union.staff.desk import (
    ACTIONS,
    DeskError,
    act,
    call,
    place_request,
    propose_transfer,
)
from union.store.engine import Store
from union.sync_node.service import SyncService, configured_service

__all__ = ["add_desk_verbs"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]
Do = Callable[[SyncService, str, datetime], Coroutine[Any, Any, object]]


def add_desk_verbs(actions: Any, open_store: OpenStore, clock: Clock) -> None:
    """Add the staff desk's verbs to ``union sync``'s subparsers."""

    def verb(name: str, text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = actions.add_parser(name, help=text)
        parser.add_argument("--branch", metavar="CODE",
                            help="the branch acting (default: [sync] branch)")
        return parser

    for action in ACTIONS.values():
        parser = verb(action.verb, f"{action.indonesian} / {action.english}")
        parser.add_argument("id", metavar="ID", help="the request leg, request or transfer")
        if action.word == "kirim" and action.section == "masuk":
            parser.add_argument("--due", metavar="YYYY-MM-DD", help="due back (default: loan_days)")
        if action.word == "sanggup":
            parser.add_argument("--item", metavar="ITEM", help="the copy to reserve")
        parser.set_defaults(run=_runner(open_store, clock, _action(action.section, action.word)))
    request = verb("request", "minta pinjam / place a patron request")
    which = request.add_mutually_exclusive_group(required=True)
    which.add_argument("--work", metavar="ID", help="any copy of this work")
    which.add_argument("--item", metavar="ITEM", help="this copy (CODE/BARCODE)")
    request.set_defaults(run=_runner(open_store, clock, _request))
    transfer = verb("transfer", "usulkan mutasi / propose a permanent transfer")
    transfer.add_argument("--to", required=True, metavar="CODE", dest="destination")
    transfer.add_argument("items", nargs="+", metavar="ITEM")
    transfer.set_defaults(run=_runner(open_store, clock, _transfer))
    desk = verb("desk", "apa yang menunggu / what waits at the desk, as JSON")
    desk.add_argument("board", nargs="?", default="permintaan/masuk", choices=sorted(boards.BOARDS))
    desk.set_defaults(run=_runner(open_store, clock, _board))


def _fields(args: argparse.Namespace) -> dict[str, str]:
    named = {"id": "id", "due": "due", "item": "item_id", "work": "work_id",
             "destination": "destination"}
    fields = {key: str(getattr(args, attr)) for attr, key in named.items()
              if getattr(args, attr, None) is not None}
    if getattr(args, "items", None):
        fields["items"] = " ".join(args.items)
    return fields


def _action(section: str, word: str) -> Callable[[argparse.Namespace], Do]:
    return lambda args: lambda s, branch, now: act(s, branch, section, word, _fields(args), now)


def _request(args: argparse.Namespace) -> Do:
    return lambda s, branch, now: place_request(s, branch, _fields(args), now)


def _transfer(args: argparse.Namespace) -> Do:
    return lambda s, branch, now: propose_transfer(s, branch, _fields(args), now)


def _board(args: argparse.Namespace) -> Do:
    show = boards.BOARDS[args.board]
    return lambda s, branch, now: call(lambda: show(s, branch, now))


def _runner(
    open_store: OpenStore, clock: Clock, make: Callable[[argparse.Namespace], Do]
) -> Callable[[Federation, argparse.Namespace], int]:
    def run(federation: Federation, args: argparse.Namespace) -> int:
        branch = args.branch or federation.sync.branch
        if not branch:
            print("sebutkan --branch / name the branch with --branch", file=sys.stderr)
            return 2
        store = open_store(federation)
        try:
            service = configured_service(store, federation.sync)
            result = asyncio.run(make(args)(service, branch, clock()))
        except DeskError as error:
            print(f"ditolak / refused ({error.code}): {error.detail}", file=sys.stderr)
            return 2 if error.status == 400 else 1
        finally:
            store.dispose()
        _print(result)
        return 0

    return run


def _print(result: object) -> None:
    if isinstance(result, dict):
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    elif isinstance(result, date | str):
        print(result if isinstance(result, str) else result.isoformat())
    else:
        print("ok")
