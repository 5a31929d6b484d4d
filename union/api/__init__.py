"""The JSON API of the union catalogue: ``/api/search``, ``/api/works/{id}``,
``/api/branches`` and its OpenAPI document at ``/api/openapi.json``."""

from aiohttp import web

from union.api.routes import add_routes
from union.server.context import ServerContext

__all__ = ["setup"]


def setup(app: web.Application, context: ServerContext) -> None:
    """Add the API to the web node's ``app``."""
    add_routes(app, context)
