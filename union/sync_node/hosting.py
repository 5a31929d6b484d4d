"""Branches without a computer of their own: their nodes live in the hub's store, their
staff use the hub's pages, and the hub runs their sync sessions on a timer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from union.server.context import CONTEXT
from union.sync_node.enrolment import start_node
from union.sync_node.hub import APP_HUB, LocalMailbox
from union.sync_node.session import patience_of, policy_of, sync_once

log = logging.getLogger(__name__)


async def hosted_sessions(app: web.Application) -> AsyncIterator[None]:
    """Run every hosted branch's session each ``[sync] interval_seconds`` while the app runs."""
    context = app[CONTEXT]
    settings = context.federation.sync
    mailbox = LocalMailbox(app[APP_HUB], context.clock)

    async def loop() -> None:
        nodes = [
            await asyncio.to_thread(
                start_node,
                context.store,
                code,
                settings.key_dir / f"{code}.pem",
                context.clock(),
                policy_of(settings, code),
            )
            for code in settings.hosted
        ]
        while True:
            for node in nodes:
                try:
                    await sync_once(node, mailbox, context.clock(), patience_of(settings))
                except Exception:  # one branch's trouble must not stop the others' sessions
                    log.exception("hosted sync session of %s failed", node.code)
            await asyncio.sleep(settings.interval_seconds)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
