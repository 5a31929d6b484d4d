"""The sync operations of the staff JSON API (``/api/staf/{branch}/...``): the same boards
and actions as the pages, as JSON. Reads answer 200; a new request or transfer 201 with
its id; an action 200 with ``{"ok": true}`` (and the due date when shipping); failures the
API's JSON errors (400, 404, 409)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from aiohttp import web

from union.server.context import CONTEXT
from union.staff import boards
from union.staff.api import ApiError
from union.staff.desk import (
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
from union.sync_node.service import SyncService

__all__ = ["routes"]

routes = web.RouteTableDef()
Do = Callable[[SyncService, str, dict[str, str], Any], Awaitable[object]]


def _board_handler(path: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    show = boards.BOARDS[path]

    async def handler(request: web.Request) -> web.Response:
        service = request.config_dict[SERVICE]
        branch = actor_of(request).branch
        now = request.config_dict[CONTEXT].clock()
        try:
            board = await call(lambda: show(service, branch, now))
        except DeskError as error:
            raise ApiError(error.status, error.code, error.detail) from error
        return web.json_response(board)

    handler.__doc__ = f"The {path} board as JSON."
    return handler


for _path in boards.BOARDS:
    routes.get(f"/{{branch}}/{_path}", name="api.staff." + _path.replace("/", "."))(
        _board_handler(_path))


@routes.get("/{branch}/ringkasan", name="api.staff.summary")
async def summary(request: web.Request) -> web.Response:
    """How much waits in each section."""
    service = request.config_dict[SERVICE]
    now = request.config_dict[CONTEXT].clock()
    branch = actor_of(request).branch
    waiting = await _answer_value(lambda: call(lambda: boards.summary(service, branch, now)))
    return web.json_response(waiting)


@routes.post("/{branch}/permintaan/{section:masuk|keluar}/{word}", name="api.staff.leg_action")
async def leg_action(request: web.Request) -> web.Response:
    """One action on a request leg (or a patron request, for ``batal``)."""
    section, word = request.match_info["section"], request.match_info["word"]
    return await _post(request, lambda s, b, f, now: act(s, b, section, word, f, now))


@routes.post("/{branch}/permintaan/keluar", name="api.staff.place_request")
async def new_request(request: web.Request) -> web.Response:
    """Place a patron request: ``{"work_id": 12}`` or ``{"item_id": "KOTA/123"}``."""
    return await _post(request, place_request, created=True)


@routes.post("/{branch}/mutasi/{word}", name="api.staff.transfer_action")
async def transfer_action(request: web.Request) -> web.Response:
    """Accept, decline, withdraw, ship or receive a transfer (``{"id": ...}``)."""
    word = request.match_info["word"]
    return await _post(request, lambda s, b, f, now: act(s, b, "mutasi", word, f, now))


@routes.post("/{branch}/mutasi", name="api.staff.propose_transfer")
async def new_transfer(request: web.Request) -> web.Response:
    """Propose a transfer: ``{"destination": "DESA2", "items": ["KOTA/1", ...]}``."""
    return await _post(request, propose_transfer, created=True)


@routes.post("/{branch}/konflik", name="api.staff.resolve_conflict")
async def resolve(request: web.Request) -> web.Response:
    """Resolve a conflict: ``{"id": 3, "resolution": "transfer_stands"}``."""
    return await _post(request, resolve_conflict)


async def _post(request: web.Request, do: Do, created: bool = False) -> web.Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed", "the body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "malformed", "the body must be a JSON object")
    service = request.config_dict[SERVICE]
    branch = actor_of(request).branch
    now = request.config_dict[CONTEXT].clock()
    result = await _answer_value(lambda: do(service, branch, fields_of(body), now))
    if created:
        return web.json_response({"id": result}, status=201)
    answer: dict[str, Any] = {"ok": True}
    if isinstance(result, date):
        answer["due"] = result.isoformat()
    return web.json_response(answer)


async def _answer_value(run: Callable[[], Awaitable[object]]) -> object:
    try:
        return await run()
    except DeskError as error:
        raise ApiError(error.status, error.code, error.detail) from error
