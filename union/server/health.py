"""``/healthz``: whether this node can serve, with the detail an operator needs.

200 when the store answers and the search index is readable, 503 otherwise. The body
says, per part: the store, the index (and how many change-log rows of works it has yet
to apply), and each branch's last harvest (from the store, so every node sharing one
PostgreSQL reports the same) and its next scheduled slot on this node; and which process
answered (``union serve --workers N`` runs an owner and readers on one port).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from union.search.engine import SearchQuery
from union.server.context import ServerContext
from union.server.scheduler import HarvestScheduler
from union.store.models import BranchRow, ChangeRow, HarvestRunRow, SourceRow

__all__ = ["NODE", "NodeState", "check_health", "setup"]


@dataclass(slots=True)
class NodeState:
    """What the node runs beside its routes: the harvest scheduler, and the change-log
    seq the search index has applied up to (``index_cursor``; None when this node does
    not follow the change log)."""

    scheduler: HarvestScheduler | None = None
    index_cursor: Callable[[], int] | None = None


#: Where the application keeps its :class:`NodeState`.
NODE = web.AppKey("node", NodeState)


async def check_health(context: ServerContext, node: NodeState) -> tuple[bool, dict[str, Any]]:
    """Whether the node is healthy, and the report ``/healthz`` answers with."""
    store = await asyncio.to_thread(_store_report, context, node)
    index = await asyncio.to_thread(_index_report, context)
    if store["ok"]:
        index["lag"] = store.pop("index_lag")
    branches = store.pop("branches", {})
    if node.scheduler is not None:
        for code, slot in node.scheduler.slots.items():
            entry = branches.setdefault(code, {"last_run": None})
            entry["scheduled"] = {
                "next": slot.next_due.isoformat(),
                "running": slot.running,
                "last_status": slot.last_status,
                "last_error": slot.last_error,
                "skipped_slots": slot.skipped_slots,
            }
    ok = bool(store["ok"] and index["ok"])
    process = {"pid": os.getpid(), "role": "owner" if context.background else "reader"}
    return ok, {"status": "ok" if ok else "error", "time": context.clock().isoformat(),
                "process": process, "store": store, "index": index, "branches": branches}


def _store_report(context: ServerContext, node: NodeState) -> dict[str, Any]:
    try:
        with context.store.read() as session:
            session.execute(text("SELECT 1"))
            cursor = node.index_cursor() if node.index_cursor is not None else None
            return {"ok": True, "backend": context.store.engine.dialect.name,
                    "index_lag": _index_lag(session, cursor),
                    "branches": _last_runs(session)}
    except Exception as exc:  # any failure to answer is what this check reports
        return {"ok": False, "backend": context.store.engine.dialect.name,
                "error": f"{type(exc).__name__}: {exc}"}


def _index_report(context: ServerContext) -> dict[str, Any]:
    engine = context.federation.union.search_engine
    try:
        total = context.engine.search(SearchQuery(limit=0)).total
    except Exception as exc:  # an unreadable index, whatever the engine raised
        return {"ok": False, "engine": engine, "error": f"{type(exc).__name__}: {exc}"}
    return {"ok": True, "engine": engine, "documents": total}


def _index_lag(session: Session, cursor: int | None) -> int | None:
    if cursor is None:
        return None
    return session.scalar(
        select(func.count()).select_from(ChangeRow)
        .where(ChangeRow.entity == "work", ChangeRow.seq > cursor)
    )


def _last_runs(session: Session) -> dict[str, dict[str, Any]]:
    latest = (select(HarvestRunRow.source_id, func.max(HarvestRunRow.id).label("id"))
              .where(HarvestRunRow.status != "reconciling")
              .group_by(HarvestRunRow.source_id).subquery())
    rows = session.execute(
        select(BranchRow.code, HarvestRunRow)
        .join(SourceRow, SourceRow.branch_id == BranchRow.id)
        .outerjoin(latest, latest.c.source_id == SourceRow.id)
        .outerjoin(HarvestRunRow, HarvestRunRow.id == latest.c.id)
        .order_by(BranchRow.code)
    )
    return {code: {"last_run": None if run is None else {
        "status": run.status,
        "started": run.started_at.isoformat(),
        "finished": run.finished_at.isoformat() if run.finished_at else None,
        "error": run.error,
    }} for code, run in rows}


def setup(app: web.Application, context: ServerContext) -> None:
    """Add ``/healthz`` (JSON; 200 healthy, 503 not)."""

    async def healthz(request: web.Request) -> web.Response:
        ok, report = await check_health(context, request.app[NODE])
        return web.json_response(report, status=200 if ok else 503,
                                 headers={"Cache-Control": "no-store"})

    app.router.add_get("/healthz", healthz)
