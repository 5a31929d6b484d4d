"""The aiohttp edge: GET and POST at /oai, answered by an :class:`OaiProvider`.

The provider runs in a worker thread, because the repository behind it does blocking
database reads; the event loop stays free for other requests meanwhile.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from union.feed.provider import OaiProvider

FORM = "application/x-www-form-urlencoded"
MAX_BODY = 64 * 1024  # the longest legal request is a few hundred bytes
PROVIDER_KEY = web.AppKey("oai_provider", OaiProvider)


def _respond(provider: OaiProvider, raw: str | bytes) -> bytes:
    return "".join(provider.respond_form(raw)).encode("utf-8")


async def handle_oai(request: web.Request) -> web.StreamResponse:
    """Answer one OAI-PMH request: arguments from the query string (GET) or from a
    form-encoded body (POST); the response is text/xml in UTF-8."""
    provider = request.app[PROVIDER_KEY]
    raw: str | bytes
    if request.method == "POST":
        if request.content_type != FORM:
            raise web.HTTPUnsupportedMediaType(text=f"OAI-PMH POST requests must be {FORM}")
        if (request.content_length or 0) > MAX_BODY:
            raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length or 0)
        raw = await request.read()
    else:
        # The raw query: each name and value is decoded once, by decode_form, so an
        # encoded "&" or "=" inside a value stays part of it.
        raw = request.rel_url.raw_query_string
    body = await asyncio.get_running_loop().run_in_executor(None, _respond, provider, raw)
    return web.Response(body=body, content_type="text/xml", charset="utf-8")


def add_oai_routes(app: web.Application, provider: OaiProvider, path: str = "/oai") -> None:
    """Serve ``provider`` at ``path`` (GET and POST) in ``app``."""
    app[PROVIDER_KEY] = provider
    app.router.add_get(path, handle_oai)
    app.router.add_post(path, handle_oai)


def create_app(provider: OaiProvider, path: str = "/oai") -> web.Application:
    """A web application serving only the feed (``client_max_size`` bounds POST bodies)."""
    app = web.Application(client_max_size=MAX_BODY)
    add_oai_routes(app, provider, path)
    return app
