"""The staff interfaces on the web node: the pages under ``/staf/`` and the JSON API
under ``/api/staf/``, each an application of its own so that its guard covers exactly
its routes."""

from __future__ import annotations

from aiohttp import web

from union.server.context import CONTEXT, ServerContext
from union.staff import api, pages, signin
from union.staff.rendering import ENVIRONMENT, STATIC, environment
from union.staff.settings import SETTINGS, StaffSettings

__all__ = ["api_app", "pages_app", "setup"]


def setup(app: web.Application, context: ServerContext,
          settings: StaffSettings | None = None) -> None:
    """Mount the staff pages and API on the node's application."""
    chosen = settings or StaffSettings()
    app.add_subapp("/staf", pages_app(context, chosen))
    app.add_subapp("/api/staf", api_app(context, chosen))


def pages_app(context: ServerContext, settings: StaffSettings) -> web.Application:
    """The staff pages, behind the page guard."""
    app = web.Application(middlewares=[signin.page_guard])
    app[CONTEXT] = context
    app[SETTINGS] = settings
    app[ENVIRONMENT] = environment()
    app.router.add_static("/static", STATIC, name="staff.static")
    app.add_routes(signin.routes)
    app.add_routes(pages.routes)
    return app


def api_app(context: ServerContext, settings: StaffSettings) -> web.Application:
    """The staff JSON API, behind the token guard; anything unknown is a JSON 404."""
    app = web.Application(middlewares=[api.api_guard])
    app[CONTEXT] = context
    app[SETTINGS] = settings
    app.add_routes(api.routes)
    app.router.add_route("*", "/{tail:.*}", api.not_found, name="api.staff.not_found")
    return app
