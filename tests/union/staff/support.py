"""A real web node with the staff interfaces on 127.0.0.1, a clock tests can move, and a
browser-like client that keeps cookies and signs in through the form."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from argon2 import PasswordHasher

from union.config import Federation
from union.search.engine import open_engine
from union.server.context import CONTEXT, ServerContext
from union.staff.accounts import add_account
from union.staff.app import setup
from union.staff.settings import StaffSettings
from union.staff.tokens import issue_token
from union.store.engine import Store
from union.sync_node.service import SyncService

PASSWORD = "rahasia-perpustakaan"
#: Cheap argon2 parameters: the tests sign in often; production uses the library's defaults.
FAST = StaffSettings(hasher=PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Node:
    """The running node: its address, store, clock and context."""

    url: str
    context: ServerContext
    clock: Clock

    @property
    def store(self) -> Store:
        return self.context.store


@asynccontextmanager
async def staff_node(store: Store, federation: Federation, index: Path,
                     settings: StaffSettings = FAST, service: SyncService | None = None,
                     clock: Clock | None = None) -> AsyncIterator[Node]:
    """A web node with the staff parts, on a free port of 127.0.0.1; staff act through
    ``service`` (by default the node's own, from the federation file)."""
    clock = clock or Clock()
    context = ServerContext(federation=federation, store=store, clock=clock,
                            engine=open_engine("tantivy", index))
    app = web.Application()
    app[CONTEXT] = context
    setup(app, context, settings, service)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield Node(f"http://127.0.0.1:{port}", context, clock)
    finally:
        await runner.cleanup()


def add_staff(store: Store, branch: str, username: str,
              hasher: PasswordHasher = FAST.hasher) -> None:
    """A staff account of ``branch`` with :data:`PASSWORD`."""
    with store.write() as session:
        add_account(session, hasher, branch, username, PASSWORD,
                    datetime(2026, 11, 1, tzinfo=UTC))


def new_token(store: Store, branch: str) -> str:
    """A new API token of ``branch``."""
    with store.write() as session:
        return issue_token(session, branch, "uji", datetime(2026, 11, 1, tzinfo=UTC)).secret


def browser() -> aiohttp.ClientSession:
    """A client that keeps cookies for 127.0.0.1 and does not follow redirects by itself."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(client: aiohttp.ClientSession, url: str, branch: str, username: str,
                  password: str = PASSWORD) -> aiohttp.ClientResponse:
    """Fill in and send the sign-in form; the response is not followed."""
    async with client.get(f"{url}/staf/masuk") as form:
        token = csrf_of(await form.text())
    return await client.post(f"{url}/staf/masuk", allow_redirects=False, data={
        "csrf": token, "branch": branch, "username": username, "password": password})
