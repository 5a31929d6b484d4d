"""The staff pages of one branch (``/staf/{branch}/...``) that need no sync node: the
harvest status. The page guard has already checked the session, the branch and the CSRF token."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from union.server.context import CONTEXT, ServerContext
from union.staff.guard import actor_of
from union.staff.rendering import page
from union.status import federation_status

__all__ = ["branch_values", "harvest_status", "routes"]

routes = web.RouteTableDef()


def harvest_status(context: ServerContext, branch: str) -> dict[str, Any]:
    """The branch's harvest status as ``union status`` reports it ({} before any harvest
    source is registered)."""
    with context.store.read() as session:
        return federation_status(session).get(branch, {})


def branch_values(request: web.Request, section: str) -> dict[str, Any]:
    """What every branch page shows besides its own content: who, which branch, the
    section of the menu, the CSRF token for its forms."""
    actor = actor_of(request)
    context = request.config_dict[CONTEXT]
    branch = context.federation.branch(actor.branch)
    return {"actor": actor, "branch": branch, "section": section, "csrf": actor.csrf_token}


@routes.get("/{branch}/panen", name="staff.harvest")
async def harvest(request: web.Request) -> web.Response:
    """The branch's harvest: records, last run, watermark and last error."""
    context = request.config_dict[CONTEXT]
    code = actor_of(request).branch
    status = await asyncio.to_thread(harvest_status, context, code)
    return page(request, "staff/harvest.html",
                {**branch_values(request, "harvest"), "harvest": status})
