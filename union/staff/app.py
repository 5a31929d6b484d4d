"""The staff interfaces on the web node: the pages under ``/staf/`` and the JSON API
under ``/api/staf/``, each an application of its own so that its guard covers exactly
its routes."""

from __future__ import annotations

from aiohttp import web

from union.server.context import CONTEXT, ServerContext
from union.staff import api, desk_api, desk_pages, pages, signin
from union.staff.desk import SERVICE
from union.staff.rendering import ENVIRONMENT, STATIC, environment
from union.staff.settings import SETTINGS, StaffSettings
from union.sync_node.service import SyncService, configured_service

__all__ = ["api_app", "pages_app", "setup", "sync_service"]


def setup(app: web.Application, context: ServerContext,
          settings: StaffSettings | None = None, service: SyncService | None = None) -> None:
    """Mount the staff pages and API on the node's application. Staff act through
    ``service`` (by default the sync service over the node's store and the signing keys of
    the federation file's ``[sync] key_dir``)."""
    chosen = settings or StaffSettings()
    sync = service or sync_service(context)
    app.add_subapp("/staf", pages_app(context, chosen, sync))
    app.add_subapp("/api/staf", api_app(context, chosen, sync))


def sync_service(context: ServerContext) -> SyncService:
    """The sync service of this node, as the federation file configures it."""
    return configured_service(context.store, context.federation.sync)


def pages_app(context: ServerContext, settings: StaffSettings,
              service: SyncService) -> web.Application:
    """The staff pages, behind the page guard."""
    app = web.Application(middlewares=[signin.page_guard])
    app[CONTEXT] = context
    app[SETTINGS] = settings
    app[SERVICE] = service
    app[ENVIRONMENT] = environment()
    app.router.add_static("/static", STATIC, name="staff.static")
    app.add_routes(signin.routes)
    app.add_routes(pages.routes)
    app.add_routes(desk_pages.routes)
    return app


def api_app(context: ServerContext, settings: StaffSettings,
            service: SyncService) -> web.Application:
    """The staff JSON API, behind the token guard; anything unknown is a JSON 404."""
    app = web.Application(middlewares=[api.api_guard])
    app[CONTEXT] = context
    app[SETTINGS] = settings
    app[SERVICE] = service
    app.add_routes(api.routes)
    app.add_routes(desk_api.routes)
    app.router.add_route("*", "/{tail:.*}", api.not_found, name="api.staff.not_found")
    return app
