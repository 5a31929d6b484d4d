"""The ``union`` command's sync verbs:

union --config F sync enrol CODE [--public-key HEX]   the hub: a branch's key pair
union --config F branch [--once]                      a village agent: sync until stopped
union --config F sync export FILE [--branch CODE]     a bundle for the USB stick
union --config F sync import FILE                     take a bundle in (idempotent)
union sync simulate --branches N --requests M --loss P --duplicate P --seed S
union --config F audit verify [--branch CODE]         check every audit hash chain
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from union.config import Federation
from union.store.engine import Store
from union.sync_node import bundle
from union.sync_node.audit_log import audited_branches, verify_chain
from union.sync_node.enrolment import enrol, start_node
from union.sync_node.hub import Hub
from union.sync_node.keys import register
from union.sync_node.node import BranchNode
from union.sync_node.session import policy_of

__all__ = ["add_sync_verbs"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]


def add_sync_verbs(verbs: Any, open_store: OpenStore, clock: Clock) -> Any:
    """Add the ``sync``, ``branch`` and ``audit`` verbs to the CLI's subparsers; returns
    ``sync``'s own subparsers, for the staff desk's verbs."""
    sync = verbs.add_parser("sync", help="sinkronisasi antarcabang / branch-to-branch sync")
    actions = sync.add_subparsers(dest="action", required=True)
    enrol_verb = actions.add_parser("enrol", help="register a branch's signing key at the hub")
    enrol_verb.add_argument("code", metavar="CODE")
    enrol_verb.add_argument(
        "--public-key", metavar="HEX", help="a key made at the branch (else one is made here)"
    )
    enrol_verb.set_defaults(run=lambda f, a: _enrol(f, a, open_store, clock))
    export = actions.add_parser("export", help="write a bundle for the USB stick")
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--branch", metavar="CODE", help="at the hub: the branch it is for")
    export.set_defaults(run=lambda f, a: _export(f, a, open_store, clock))
    imp = actions.add_parser("import", help="take a bundle in (importing twice is harmless)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.set_defaults(run=lambda f, a: _import(f, a, open_store, clock))
    sim = actions.add_parser(
        "simulate",
        help="seeded simulation over a hostile network",
        description=SIMULATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sim.add_argument("--branches", type=int, default=5)
    sim.add_argument("--requests", type=int, default=200)
    sim.add_argument("--loss", type=float, default=0.3)
    sim.add_argument("--duplicate", type=float, default=0.1)
    sim.add_argument("--seed", type=int, default=1)
    sim.set_defaults(run=_simulate, needs_config=False)
    branch = verbs.add_parser("branch", help="agen cabang desa / village branch agent")
    branch.add_argument("--once", action="store_true", help="one session, then stop")
    branch.set_defaults(run=lambda f, a: _branch(f, a, open_store, clock))
    audit = verbs.add_parser("audit", help="log audit sinkronisasi / sync audit log")
    audit_actions = audit.add_subparsers(dest="action", required=True)
    verify = audit_actions.add_parser("verify", help="check every branch's hash chain")
    verify.add_argument("--branch", metavar="CODE", help="only this branch")
    verify.set_defaults(run=lambda f, a: _audit_verify(f, a, open_store))
    return actions


SIMULATE_HELP = """\
Simulasi federasi dengan jaringan yang buruk / a seeded federation over a network that
loses, duplicates, reorders and delays messages, partitions branches, and crashes and
restarts them from their durable state; staff act at random (lenders' staff answer
requests). Prints the invariants checked and the violations found; exits 1 on any.

Convergence after the last partition heals, in sync rounds:
  session    a branch pushes its outbox, pulls its inbox and applies it, and keeps
             exchanging (pushing what applying produced, pulling again) while anything moves
  round      one session of every branch, all online at once (their exchanges interleave)
  after the last partition heals, staff take no new actions; the network goes on losing,
  duplicating and reordering, and a session ends only when its outbox is acknowledged
  and the hub holds nothing more for it (the clock runs on: 10 minutes a round)
  converged  no message undelivered (every outbox acknowledged, every branch holds every
             other branch's whole stream) and every copy's custody agreed by its owner,
             the hub and the branch holding it
"""


def _enrol(
    federation: Federation, args: argparse.Namespace, open_store: OpenStore, clock: Clock
) -> int:
    store = open_store(federation)
    try:
        if args.public_key:
            try:
                public = bytes.fromhex(args.public_key)
                with store.write() as session:
                    register(session, args.code, public, clock())
            except ValueError as exc:
                print(f"kunci tidak sah / invalid key: {exc}", file=sys.stderr)
                return 2
            print(f"{args.code} terdaftar / enrolled")
            return 0
        path = federation.sync.key_dir / f"{args.code}.pem"
        public = enrol(store, args.code, path, clock())
        if args.code in federation.sync.hosted:
            start_node(store, args.code, path, clock(), policy_of(federation.sync, args.code))
        print(
            f"{args.code} terdaftar / enrolled\n"
            f"kunci privat / private key: {path}\nkunci publik / public key: {public.hex()}"
        )
        return 0
    finally:
        store.dispose()


def _export(
    federation: Federation, args: argparse.Namespace, open_store: OpenStore, clock: Clock
) -> int:
    store = open_store(federation)
    try:
        own = federation.sync.branch
        if args.branch:
            count = bundle.export_for_branch(Hub(store), args.branch, args.file, clock())
            print(f"{count} entri untuk / entries for {args.branch} -> {args.file}")
        elif own:
            node = _own_node(federation, store, own, clock)
            count = bundle.export_branch(node, args.file, clock())
            print(f"{count} pesan dari / messages from {own} -> {args.file}")
        else:
            print("sebutkan --branch / name the branch with --branch (at the hub)", file=sys.stderr)
            return 2
        return 0
    finally:
        store.dispose()


def _import(
    federation: Federation, args: argparse.Namespace, open_store: OpenStore, clock: Clock
) -> int:
    store = open_store(federation)
    try:
        own = federation.sync.branch
        if own:
            node = _own_node(federation, store, own, clock)
            result = bundle.import_at_branch(node, args.file, clock())
        else:
            result = bundle.import_at_hub(Hub(store), args.file, clock())
    except bundle.BundleError as exc:
        print(f"bundel ditolak / bundle refused: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(
        f"dari / from {result.sender}: {result.admitted} diterima hub / admitted, "
        f"{result.applied} diterapkan / applied, {result.duplicates} duplikat / duplicates, "
        f"{result.refused} ditolak / refused"
    )
    return 0


def _branch(
    federation: Federation, args: argparse.Namespace, open_store: OpenStore, clock: Clock
) -> int:
    from union.sync_node.agent import run_agent

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = federation.sync
    if settings.branch is None or settings.hub_url is None:
        print(
            "[sync] branch dan hub_url wajib / [sync] branch and hub_url are required",
            file=sys.stderr,
        )
        return 2
    store = open_store(federation)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        report = await run_agent(store, settings, clock, once=args.once, stop=stop)
        if report is not None:
            print(
                f"{settings.branch}: {report.pushed} dikirim / pushed, "
                f"{report.applied} diterapkan / applied",
                flush=True,
            )

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"hub tidak terjangkau / hub unreachable: {exc}", file=sys.stderr)
        return 1
    finally:
        store.dispose()
    return 0


def _simulate(_federation: Federation | None, args: argparse.Namespace) -> int:
    from sync.simulation import simulate
    from sync.simulation_config import busy_federation

    for name in ("loss", "duplicate"):
        if not 0 <= getattr(args, name) < 1:
            print(f"--{name} harus 0 sampai <1 / must be from 0 to below 1", file=sys.stderr)
            return 2
    if args.branches < 2 or args.requests < 1:
        print("--branches >= 2, --requests >= 1", file=sys.stderr)
        return 2
    config = busy_federation(args.branches, args.requests, args.loss, args.duplicate)
    report = simulate(args.seed, config)
    print(report.summary())
    return 1 if report.violations else 0


def _own_node(federation: Federation, store: Store, own: str, clock: Clock) -> BranchNode:
    key = federation.sync.key_dir / f"{own}.pem"
    return start_node(store, own, key, clock(), policy_of(federation.sync, own))


def _audit_verify(federation: Federation, args: argparse.Namespace, open_store: OpenStore) -> int:
    store = open_store(federation)
    try:
        branches = [args.branch] if args.branch else audited_branches(store)
        broken = 0
        for code in branches:
            report = verify_chain(store, code)
            if report.first_break is None:
                print(f"{code}: {report.entries} entri utuh / entries intact")
            else:
                broken += 1
                print(
                    f"{code}: RUSAK / BROKEN at entry {report.first_break.index}: "
                    f"{report.first_break.reason}"
                )
        return 1 if broken else 0
    finally:
        store.dispose()
