"""The ``union staff`` verbs:

    union --config F staff add --branch CODE --username NAME [--password-stdin]
    union --config F staff token --branch CODE [--name LABEL]    prints a new token once
    union --config F staff revoke --branch CODE --username NAME  account and its sessions
    union --config F staff revoke --branch CODE --token PREFIX   one API token
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher

from union.config import Federation
from union.staff.accounts import AccountError, add_account, disable_account
from union.staff.tokens import issue_token, revoke_token
from union.store.engine import Store

__all__ = ["add_staff_verbs"]

OpenStore = Callable[[Federation], Store]
Clock = Callable[[], datetime]


def add_staff_verbs(verbs: Any, open_store: OpenStore, clock: Clock) -> None:
    """Add the ``staff`` verb and its actions to the CLI's subparsers."""
    staff = verbs.add_parser("staff", help="staf cabang / branch staff accounts and API tokens")
    actions = staff.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="a new staff account (asks for the password)")
    add.add_argument("--branch", required=True, metavar="CODE")
    add.add_argument("--username", required=True, metavar="NAME")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input instead of asking")
    token = actions.add_parser("token", help="a new API token for scripts (printed once)")
    token.add_argument("--branch", required=True, metavar="CODE")
    token.add_argument("--name", default="skrip", metavar="LABEL", help="what it is for")
    revoke = actions.add_parser("revoke", help="disable an account or revoke a token")
    revoke.add_argument("--branch", required=True, metavar="CODE")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--username", metavar="NAME")
    which.add_argument("--token", metavar="PREFIX", help="the token's first 12 characters")
    staff.set_defaults(run=lambda f, a: _staff(f, a, open_store, clock))


def _staff(federation: Federation, args: argparse.Namespace, open_store: OpenStore,
           clock: Clock) -> int:
    password = _password(args) if args.action == "add" else ""
    store = open_store(federation)
    try:
        with store.write() as session:
            if args.action == "add":
                add_account(session, PasswordHasher(), args.branch, args.username, password,
                            clock())
                print(f"Akun dibuat / account created: {args.branch}/{args.username}")
            elif args.action == "token":
                issued = issue_token(session, args.branch, args.name, clock())
                print(issued.secret)
                print(f"Simpan token ini; tidak akan ditampilkan lagi / keep this token, it is "
                      f"not shown again ({issued.prefix}, {args.branch})", file=sys.stderr)
            elif args.username:
                disable_account(session, args.branch, args.username, clock())
                print(f"Akun dinonaktifkan / account disabled: {args.branch}/{args.username}")
            else:
                revoke_token(session, args.branch, args.token, clock())
                print(f"Token dicabut / token revoked: {args.token}")
    except AccountError as exc:
        print(f"Kesalahan / error: {exc}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Kata sandi / password: ")
    if getpass.getpass("Ulangi / again: ") != first:
        raise SystemExit("Kata sandi tidak sama / passwords differ")
    return first
