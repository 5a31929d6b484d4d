"""The hub over HTTP (routes under ``/sync/``) and the branch agent's client for it.

    POST /sync/push   {"branch": CODE, "messages": [signed, ...]}
                      -> {"held": N, "admitted": N, "refused": N, "duplicates": N}
    POST /sync/pull   {"branch": CODE, "held": {ORIGIN: N, ...}}
                      -> {"entries": [signed | {"skip": {...}}, ...], "heard": {...}, "more": B}
    POST /sync/holdings {"branch": CODE, "work": ID}
                      -> {"lenders": [{"branch", "available", "distance", "load"}, ...],
                          "copies": [CODE's item ids of the work]}   (for village desks)
    GET  /sync/keys   -> {CODE: public key hex, ...}
    GET  /sync/status -> {"streams": {ORIGIN: N}, "heard": {CODE: time}}

Nothing is trusted from the connection: every message carries its origin's signature,
checked by the hub and again by the recipient.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import Counter
from sqlalchemy import func, select

from sync.signing import SignedMessage
from union.server.context import CONTEXT, ServerContext
from union.store.sync_models import SyncHeardRow, SyncKeyRow, SyncStreamRow
from union.sync_node.catalogue import StoreCatalogue
from union.sync_node.codec import entries_from_dicts, signed_from_dict, signed_to_dict
from union.sync_node.hosting import hosted_sessions
from union.sync_node.hub import APP_HUB, Hub
from union.sync_node.session import Pulled


def setup(app: web.Application, context: ServerContext) -> None:
    """Add the hub's routes (and, for hosted branches, their sync sessions) to the app."""
    app[APP_HUB] = Hub(context.store)
    admitted = Counter(
        "union_sync_messages",
        "Sync messages pushed to the hub",
        ["outcome"],
        registry=context.metrics,
    )

    async def push(request: web.Request) -> web.Response:
        return await _push(request, admitted)

    app.router.add_post("/sync/push", push)
    app.router.add_post("/sync/pull", _pull)
    app.router.add_post("/sync/holdings", _holdings)
    app.router.add_get("/sync/keys", _keys)
    app.router.add_get("/sync/status", _status)
    if context.federation.sync.hosted and context.background:
        app.cleanup_ctx.append(hosted_sessions)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise _bad("body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("branch"), str):
        raise _bad('body is a JSON object with a "branch" code')
    return data


def _bad(why: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=why, content_type="text/plain")


async def _push(request: web.Request, counter: Counter) -> web.Response:
    data = await _json(request)
    raw = data.get("messages")
    if not isinstance(raw, list):
        raise _bad('"messages" is a list of signed messages')
    try:
        batch = [signed_from_dict(m) for m in raw]
    except ValueError as exc:
        raise _bad(f"malformed message: {exc}") from None
    context = request.app[CONTEXT]
    result = await asyncio.to_thread(
        request.app[APP_HUB].push, data["branch"], batch, context.clock()
    )
    for outcome, count in (
        ("admitted", result.admitted),
        ("refused", result.refused),
        ("duplicate", result.duplicates),
    ):
        if count:
            counter.labels(outcome).inc(count)
    return web.json_response(
        {
            "held": result.held,
            "admitted": result.admitted,
            "refused": result.refused,
            "duplicates": result.duplicates,
        }
    )


async def _pull(request: web.Request) -> web.Response:
    data = await _json(request)
    held = data.get("held", {})
    if not isinstance(held, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)
        for k, v in held.items()
    ):
        raise _bad('"held" maps origin codes to sequence numbers')
    result = await asyncio.to_thread(request.app[APP_HUB].pull, data["branch"], held)
    return web.json_response(
        {
            "entries": result.entries,
            "heard": {b: at.isoformat() for b, at in result.heard.items()},
            "more": result.more,
        }
    )


async def _holdings(request: web.Request) -> web.Response:
    data = await _json(request)
    work = data.get("work")
    if not isinstance(work, str | int) or isinstance(work, bool):
        raise _bad('"work" is a work id')
    branch, work_id = data["branch"], str(work)

    def read() -> dict[str, Any]:
        with request.app[CONTEXT].store.read() as session:
            catalogue = StoreCatalogue(session)
            lenders = [dataclasses.asdict(c) for c in catalogue.lenders_for(work_id, branch)]
            return {"lenders": lenders, "copies": list(catalogue.copies_of(work_id, branch))}

    return web.json_response(await asyncio.to_thread(read))


async def _keys(request: web.Request) -> web.Response:
    def read() -> dict[str, str]:
        with request.app[CONTEXT].store.read() as session:
            rows = session.execute(select(SyncKeyRow.branch, SyncKeyRow.public_key))
            return {branch: bytes(key).hex() for branch, key in rows}

    return web.json_response(await asyncio.to_thread(read))


async def _status(request: web.Request) -> web.Response:
    def read() -> dict[str, Any]:
        with request.app[CONTEXT].store.read() as session:
            streams = session.execute(
                select(SyncStreamRow.origin, func.max(SyncStreamRow.seq)).group_by(
                    SyncStreamRow.origin
                )
            )
            heard = session.execute(select(SyncHeardRow.branch, SyncHeardRow.at))
            return {
                "streams": {origin: int(top) for origin, top in streams},
                "heard": {branch: at.isoformat() for branch, at in heard},
            }

    return web.json_response(await asyncio.to_thread(read))


class HttpMailbox:
    """The hub at ``base_url``, as a branch agent reaches it."""

    def __init__(self, base_url: str, client: aiohttp.ClientSession) -> None:
        self._base = base_url.rstrip("/")
        self._client = client

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with self._client.post(f"{self._base}{path}", json=body) as response:
            if response.status != 200:
                text = await response.text()
                raise HubError(f"{path}: HTTP {response.status}: {text[:200]}")
            data = await response.json()
        if not isinstance(data, dict):
            raise HubError(f"{path}: the hub answered with something other than an object")
        return data

    async def push(self, branch: str, batch: Sequence[SignedMessage]) -> int:
        """Upload ``batch``; the hub's acknowledgement of ``branch``'s stream."""
        data = await self._post(
            "/sync/push", {"branch": branch, "messages": [signed_to_dict(s) for s in batch]}
        )
        held = data.get("held")
        if not isinstance(held, int):
            raise HubError("/sync/push: no acknowledgement in the answer")
        return held

    async def pull(self, branch: str, held: Mapping[str, int]) -> Pulled:
        """Everything after ``held`` of every other origin's stream."""
        data = await self._post("/sync/pull", {"branch": branch, "held": dict(held)})
        try:
            entries = entries_from_dicts(data.get("entries"))
            heard = {b: datetime.fromisoformat(at) for b, at in data.get("heard", {}).items()}
        except (ValueError, TypeError, AttributeError) as exc:
            raise HubError(f"/sync/pull: malformed answer: {exc}") from exc
        return Pulled(entries, heard, bool(data.get("more")))

    async def keys(self) -> dict[str, bytes]:
        """Every enrolled branch's public key, as the hub has them."""
        async with self._client.get(f"{self._base}/sync/keys") as response:
            if response.status != 200:
                raise HubError(f"/sync/keys: HTTP {response.status}")
            data = await response.json()
        try:
            return {branch: bytes.fromhex(key) for branch, key in data.items()}
        except (ValueError, TypeError, AttributeError) as exc:
            raise HubError(f"/sync/keys: malformed answer: {exc}") from exc


class HubError(ConnectionError):
    """The hub could not be reached, or answered something unusable: try again later."""


__all__ = ["APP_HUB", "HttpMailbox", "HubError", "setup"]
