"""The patron web catalogue: server-rendered pages that work without JavaScript, in
Bahasa Indonesia with an English switch.

``setup(app, context)`` adds the routes to the web node. Other page packages reuse
:func:`make_environment` (their templates may extend ``base.html``),
:func:`page_response` and :class:`Translate`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from union.feed.work_records import Branches
from union.server.context import ServerContext
from union.web.i18n import Translate, choose_language
from union.web.pages import WEB, WebParts, add_page_routes, not_found, page_response
from union.web.static_files import StaticFiles
from union.web.templating import make_environment, render

__all__ = ["WEB", "Translate", "WebParts", "choose_language", "make_environment",
           "page_response", "render", "setup"]

# Paths whose 404s belong to machine clients (JSON, XML), not to people.
_MACHINE_PATHS = ("/api/", "/oai", "/metrics", "/healthz")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def _friendly_not_found(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A page for people where the router finds no route, unless a machine asked."""
    try:
        return await handler(request)
    except web.HTTPNotFound:
        if request.path.startswith(_MACHINE_PATHS) or "text/html" not in request.headers.get(
                "Accept", ""):
            raise
        t = Translate(choose_language(request.query, request.cookies))
        return not_found(request, t("Alamat ini tidak ada di katalog.",
                                    "This address is not in the catalogue."))


def setup(app: web.Application, context: ServerContext) -> None:
    """Add the patron pages, their static files and the friendly 404 page to ``app``."""
    static = StaticFiles()
    app[WEB] = WebParts(environment=make_environment(), stylesheet=static.url("style.css"),
                        branches=Branches.of(context.federation))
    add_page_routes(app)
    app.router.add_get("/static/{name}", static.handle)
    app.middlewares.append(_friendly_not_found)
