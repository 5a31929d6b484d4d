"""The JSON API's handlers: thin edges over the catalogue service.

A merged-away work id answers 200 with its survivor's body (``id`` is the survivor,
``requested_id`` the id asked for, ``merged_from`` the merged ids followed) and a
``Content-Location`` header naming the survivor's URL, rather than a redirect: one round
trip, and a client that keeps ids can see that it should update them. A deleted work
answers 410, an id that never was a work 404, a malformed parameter 400; every error has
a JSON body (see :func:`union.api.payloads.error_body`). Search answers are kept for
two seconds under their query string (:mod:`union.api.cache`), counted as hits and
misses on the node's metrics.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web
from prometheus_client import Counter

from union.api.cache import AnswerCache
from union.api.openapi import openapi_document
from union.api.payloads import (
    bad_parameter_body,
    branches_body,
    error_body,
    search_body,
    work_body,
)
from union.catalogue import (
    BadParameter,
    list_branches,
    parse_search,
    parse_work_id,
    run_search,
    work_detail,
)
from union.server.context import CONTEXT, ServerContext
from union.sync_node.catalogue import custody_of_displays

__all__ = ["add_routes"]

_OPENAPI = web.AppKey("openapi_json", bytes)


@dataclass(frozen=True, slots=True)
class _SearchCache:
    answers: AnswerCache
    hits: Counter
    misses: Counter


_CACHE = web.AppKey("search_cache", _SearchCache)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, headers=headers,
                        content_type="application/json")


def _branch_names(context: ServerContext) -> dict[str, str]:
    return {branch.code: branch.name for branch in context.federation.branches}


async def search(request: web.Request) -> web.Response:
    """GET /api/search (answers are micro-cached: see :mod:`union.api.cache`)."""
    cache = request.app[_CACHE]
    body = cache.answers.get(request.query_string)
    if body is not None:
        cache.hits.inc()
        return web.Response(body=body, content_type="application/json")
    cache.misses.inc()
    context = request.app[CONTEXT]
    names = _branch_names(context)
    try:
        query = parse_search(request.query.items(), names)
    except BadParameter as problem:
        return _json(bad_parameter_body(problem), 400)
    page = await asyncio.to_thread(run_search, context.engine, query, names)
    body = orjson.dumps(search_body(page))
    cache.answers.put(request.query_string, body)
    return web.Response(body=body, content_type="application/json")


async def work(request: web.Request) -> web.Response:
    """GET /api/works/{id}"""
    context = request.app[CONTEXT]
    try:
        work_id = parse_work_id(request.match_info["id"])
    except BadParameter as problem:
        return _json(bad_parameter_body(problem), 400)

    def read() -> Any:
        with context.store.read() as session:
            return work_detail(session, context.federation, work_id, custody_of_displays)

    detail = await asyncio.to_thread(read)
    if detail is None:
        return _json(error_body(404, "not_found", f"karya {work_id} tidak ada",
                                f"there is no work {work_id}"), 404)
    if detail.status != "live":
        return _json(error_body(410, "deleted", f"karya {detail.id} telah dihapus dari katalog",
                                f"work {detail.id} was withdrawn from the catalogue"), 410)
    headers = {"Content-Location": f"/api/works/{detail.id}"} if detail.redirected else None
    return _json(work_body(detail), headers=headers)


async def branches(request: web.Request) -> web.Response:
    """GET /api/branches"""
    context = request.app[CONTEXT]

    def read() -> Any:
        with context.store.read() as session:
            return list_branches(session, context.federation)

    return _json(branches_body(await asyncio.to_thread(read)))


async def openapi(request: web.Request) -> web.Response:
    """GET /api/openapi.json"""
    return web.Response(body=request.app[_OPENAPI], content_type="application/json")


def add_routes(app: web.Application, context: ServerContext) -> None:
    """Add the API's routes to ``app``."""
    app[_OPENAPI] = orjson.dumps(openapi_document(context.federation))
    app[_CACHE] = _SearchCache(
        AnswerCache(lambda: context.clock().timestamp()),
        Counter("union_api_search_cache_hits", "API searches answered from the cache",
                registry=context.metrics),
        Counter("union_api_search_cache_misses", "API searches run on the engine",
                registry=context.metrics),
    )
    app.router.add_get("/api/search", search)
    app.router.add_get("/api/works/{id}", work)
    app.router.add_get("/api/branches", branches)
    app.router.add_get("/api/openapi.json", openapi)
