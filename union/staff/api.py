"""The staff JSON API (``/api/staf/{branch}/...``) for scripts, with
``Authorization: Bearer <token>``: a branch's token acts only for that branch. Errors are
JSON objects ``{"error": code, "message": text}`` with status 401, 403, 404 or 409."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from union.server.context import CONTEXT, ServerContext
from union.staff.guard import ACTOR, Actor, BranchRefused, actor_of, check_branch
from union.staff.pages import harvest_status
from union.staff.tokens import token_holder

__all__ = ["ApiError", "api_guard", "json_error", "not_found", "routes"]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
routes = web.RouteTableDef()


class ApiError(Exception):
    """An answer other than success, as a JSON error."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def json_error(status: int, code: str, message: str) -> web.Response:
    """A JSON error response."""
    response = web.json_response({"error": code, "message": message}, status=status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="staf"'
    return response


@web.middleware
async def api_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A valid token of the branch the path names, else 401 or 403; every error as JSON."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return json_error(401, "unauthorized", "Authorization: Bearer <token> required")
    context = request.config_dict[CONTEXT]
    actor = await asyncio.to_thread(_token_actor, context, secret.strip())
    if actor is None:
        return json_error(401, "unauthorized", "unknown or revoked token")
    try:
        check_branch(request, actor)
    except BranchRefused as refused:
        return json_error(403, "forbidden", str(refused))
    request[ACTOR] = actor
    try:
        return await handler(request)
    except ApiError as error:
        return json_error(error.status, error.code, error.message)
    except web.HTTPException as http:
        if http.status < 400:
            raise
        return json_error(http.status, http.reason.lower().replace(" ", "_"), http.reason)


def _token_actor(context: ServerContext, secret: str) -> Actor | None:
    with context.store.write() as session:
        holder = token_holder(session, secret, context.clock())
    return None if holder is None else Actor(holder.branch, holder.name, "token")


@routes.get("/{branch}", name="api.staff.branch")
async def whoami(request: web.Request) -> web.Response:
    """The branch and the token's name."""
    actor = actor_of(request)
    return web.json_response({"branch": actor.branch, "token": actor.name})


@routes.get("/{branch}/panen", name="api.staff.harvest")
async def harvest(request: web.Request) -> web.Response:
    """The branch's harvest status."""
    context = request.config_dict[CONTEXT]
    status: dict[str, Any] = await asyncio.to_thread(
        harvest_status, context, actor_of(request).branch)
    return web.json_response(status)


async def not_found(_request: web.Request) -> web.Response:
    """Anything else under /api/staf/ is a JSON 404."""
    raise ApiError(404, "not_found", "no such staff API resource")
