"""The feed as a part of the web node: ``/oai`` (GET and POST) for ``union serve``, and a
background task that keeps the published records in step with the works."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from union.feed.follower import refresh_feed
from union.feed.http import add_oai_routes
from union.feed.provider import OaiProvider
from union.feed.store_repository import StoreFeedRepository, feed_config, token_secret
from union.feed.work_records import Branches
from union.server.context import ServerContext

__all__ = ["FOLLOW_SECONDS", "setup"]

FOLLOW_SECONDS = 5.0
_log = logging.getLogger(__name__)


def setup(app: web.Application, context: ServerContext) -> None:
    """Mount the OAI-PMH feed at ``/oai`` and follow the change log while the app runs."""
    branches = Branches.of(context.federation)
    repository = StoreFeedRepository(context.store, branches)
    secret = token_secret(context.store, context.federation)
    provider = OaiProvider(repository, feed_config(context.federation, secret), context.clock)
    add_oai_routes(app, provider)

    async def follow(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(_follow(context, branches))
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    if context.background:
        app.cleanup_ctx.append(follow)


async def _follow(context: ServerContext, branches: Branches) -> None:
    while True:
        try:
            await asyncio.to_thread(refresh_feed, context.store, branches, context.clock)
        except Exception:  # a store hiccup must not stop the feed from following
            _log.exception("refreshing the OAI-PMH feed failed; retrying")
        await asyncio.sleep(FOLLOW_SECONDS)
