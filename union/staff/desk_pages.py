"""The sync pages of one branch's staff desk: incoming and outgoing requests, the pick
list, ship and receive, transfers and harvest conflicts. Every form posts (with the CSRF
token the page guard checks) and is answered with a redirect back to its page, so the
pages work without JavaScript and a reload never sends a form twice."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from union.server.context import CONTEXT
from union.staff import boards
from union.staff.desk import (
    ACTIONS,
    SERVICE,
    DeskError,
    act,
    call,
    fields_of,
    place_request,
    propose_transfer,
    resolve_conflict,
)
from union.staff.guard import actor_of
from union.staff.pages import branch_values, harvest_status
from union.staff.rendering import language_of, page
from union.web.i18n import Translate

__all__ = ["routes"]

routes = web.RouteTableDef()

# Board path -> (menu section, template).
_PAGES = {
    "permintaan/masuk": ("incoming", "staff/incoming.html"),
    "permintaan/keluar": ("outgoing", "staff/outgoing.html"),
    "ambil": ("picklist", "staff/picklist.html"),
    "kirim-terima": ("shipping", "staff/shipping.html"),
    "mutasi": ("transfers", "staff/transfers.html"),
    "konflik": ("conflicts", "staff/conflicts.html"),
}


def _board_handler(path: str) -> Any:
    section, template = _PAGES[path]
    show = boards.BOARDS[path]

    async def handler(request: web.Request) -> web.Response:
        service = request.config_dict[SERVICE]
        branch = actor_of(request).branch
        now = request.config_dict[CONTEXT].clock()
        try:
            board = await call(lambda: show(service, branch, now))
        except DeskError as error:
            return _failed(request, error, section)
        return page(request, template, {**branch_values(request, section), **board,
                                        "actions": ACTIONS,
                                        "message": _done(request)})

    handler.__doc__ = f"The {section} page."
    return handler


for _path in _PAGES:
    routes.get(f"/{{branch}}/{_path}", name=f"staff.{_PAGES[_path][0]}")(_board_handler(_path))


@routes.get("/{branch}/", name="staff.dashboard")
async def dashboard(request: web.Request) -> web.Response:
    """The branch's desk: what waits in each section, and its last harvest."""
    context = request.config_dict[CONTEXT]
    service = request.config_dict[SERVICE]
    branch = actor_of(request).branch
    harvest = await asyncio.to_thread(harvest_status, context, branch)
    try:
        waiting: dict[str, int] | None = await call(
            lambda: boards.summary(service, branch, context.clock()))
    except DeskError:
        waiting = None  # this node does not run the branch's sync: only the harvest shows
    return page(request, "staff/dashboard.html", {**branch_values(request, "dashboard"),
                                                  "harvest": harvest, "waiting": waiting})


@routes.post("/{branch}/permintaan/{section:masuk|keluar}/{word}", name="staff.leg_action")
async def leg_action(request: web.Request) -> web.Response:
    """Do one action on a request (ship, unfill, receive, lend, ...)."""
    section = request.match_info["section"]
    return await _post(request, f"permintaan/{section}", lambda service, branch, fields, now:
                       act(service, branch, section, request.match_info["word"], fields, now))


@routes.post("/{branch}/permintaan/keluar", name="staff.place_request")
async def new_request(request: web.Request) -> web.Response:
    """Place a patron request for a work or one copy."""
    return await _post(request, "permintaan/keluar", place_request)


@routes.post("/{branch}/mutasi/{word}", name="staff.transfer_action")
async def transfer_action(request: web.Request) -> web.Response:
    """Accept, decline, withdraw, ship or receive a transfer."""
    return await _post(request, "mutasi", lambda service, branch, fields, now:
                       act(service, branch, "mutasi", request.match_info["word"], fields, now))


@routes.post("/{branch}/mutasi", name="staff.propose_transfer")
async def new_transfer(request: web.Request) -> web.Response:
    """Propose a batch of copies to another branch."""
    return await _post(request, "mutasi", propose_transfer)


@routes.post("/{branch}/konflik", name="staff.resolve_conflict")
async def resolve(request: web.Request) -> web.Response:
    """Close a harvest conflict."""
    return await _post(request, "konflik", resolve_conflict)


async def _post(request: web.Request, path: str, do: Any) -> web.Response:
    branch = actor_of(request).branch
    fields = fields_of(await request.post())
    service = request.config_dict[SERVICE]
    try:
        await do(service, branch, fields, request.config_dict[CONTEXT].clock())
    except DeskError as error:
        return _failed(request, error, _PAGES[path][0])
    back = fields.get("back", "")
    if not back.startswith(f"/staf/{branch}/"):
        back = f"/staf/{branch}/{path}"
    raise web.HTTPSeeOther(back + ("&" if "?" in back else "?") + "selesai=1")


def _done(request: web.Request) -> str | None:
    t = Translate(language_of(request))
    return t("Tersimpan.", "Done.") if request.query.get("selesai") else None


def _failed(request: web.Request, error: DeskError, section: str) -> web.Response:
    t = Translate(language_of(request))
    titles = {400: t("Isian tidak sah", "Invalid input"),
              404: t("Tidak ditemukan", "Not found"),
              409: t("Tidak dapat dilakukan sekarang", "Cannot be done now")}
    return page(request, "staff/refused.html", {
        **branch_values(request, section), "title": titles.get(error.status, error.code),
        "reason": f"{error.code}: {error.detail}"}, status=error.status)
