"""The ``union`` command's verbs about works, kept apart from the main CLI module:

    union --config F works --jsonl              one JSON line per live work
    union --config F works update [--rebuild]   run the clusterer now
    union --config F works same SRC:ID SRC:ID   staff: these are one work
    union --config F works never SRC:ID SRC:ID  staff: never merge these
    union --config F explain WORK_ID [--json]   why the work holds its records
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from union.config import Federation
from union.store.engine import Store
from union.works.explain import explain_work, format_explanation
from union.works.overrides import OverrideError, parse_record_name, record_override
from union.works.reading import live_works
from union.works.updater import UpdateReport, update_works

__all__ = ["add_work_verbs", "branch_priority"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]


def branch_priority(federation: Federation) -> list[str]:
    """Branch codes in the order the federation file lists them: the display record
    prefers the earlier branch when two members are equally good."""
    return [branch.code for branch in federation.branches]


def add_work_verbs(verbs: Any, open_store: OpenStore, clock: Clock) -> None:
    """Add the ``works`` and ``explain`` verbs to the CLI's subparsers."""
    works = verbs.add_parser("works", help="karya (rekaman gabungan) / works (union records)")
    works.add_argument("--jsonl", action="store_true",
                       help="one JSON line per live work: id and [branch, local id] members")
    actions = works.add_subparsers(dest="action")
    update = actions.add_parser("update", help="run the clusterer on pending changes")
    update.add_argument("--rebuild", action="store_true", help="re-cluster everything")
    for kind, text in (("same", "these two records are one work"),
                       ("never", "never merge these two records")):
        verb = actions.add_parser(kind, help=text)
        verb.add_argument("first", metavar="SRC:ID")
        verb.add_argument("second", metavar="SRC:ID")
        verb.add_argument("--note", help="why (kept with the decision)")
    works.set_defaults(run=lambda f, a: _works(f, a, open_store, clock))
    explain = verbs.add_parser("explain", help="why a work holds its records")
    explain.add_argument("work_id", type=int, metavar="WORK_ID")
    explain.add_argument("--json", action="store_true", help="as one JSON object")
    explain.set_defaults(run=lambda f, a: _explain(f, a, open_store))


def _works(federation: Federation, args: argparse.Namespace, open_store: OpenStore,
           clock: Clock) -> int:
    store = open_store(federation)
    try:
        if args.action in ("same", "never"):
            return _override(federation, args, store, clock)
        if args.action == "update":
            report = update_works(store, clock, priority=branch_priority(federation),
                                  rebuild=True if args.rebuild else None)
            print(_summary(report))
            return 0
        with store.read() as session:
            for work_id, members in live_works(session):
                if args.jsonl:
                    print(json.dumps({"id": work_id, "members": members}, ensure_ascii=False))
                else:
                    print(f"{work_id}\t" + " ".join(f"{c}:{i}" for c, i in members))
        return 0
    finally:
        store.dispose()


def _override(federation: Federation, args: argparse.Namespace, store: Store,
              clock: Clock) -> int:
    try:
        first, second = parse_record_name(args.first), parse_record_name(args.second)
        report = record_override(store, clock, args.action, first, second,
                                 priority=branch_priority(federation), note=args.note)
    except OverrideError as exc:
        print(f"Kesalahan / error: {exc}", file=sys.stderr)
        return 2
    print(f"Dicatat / recorded: {args.action} {first} {second}. {_summary(report)}")
    return 0


def _summary(report: UpdateReport) -> str:
    return (f"Karya / works: {report.created} baru/new, {report.changed} berubah/changed, "
            f"{report.merged} digabung/merged, {report.deleted} dihapus/deleted "
            f"({report.mode}, {report.records} rekaman/records, {report.seconds:.2f} s)")


def _explain(federation: Federation, args: argparse.Namespace, open_store: OpenStore) -> int:
    store = open_store(federation)
    try:
        with store.read() as session:
            explanation = explain_work(session, args.work_id)
    finally:
        store.dispose()
    if explanation is None:
        print(f"Karya tidak dikenal / no such work: {args.work_id}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_explanation(explanation))
    return 0
