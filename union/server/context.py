"""What every part of the web node is handed: the one place the edges get their clock,
store, search engine and metrics from (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry

from union.config import Federation
from union.search.engine import SearchEngine
from union.store.engine import Store

__all__ = ["CONTEXT", "Clock", "ServerContext", "Setup"]

Clock = Callable[[], datetime]


@dataclass(slots=True)
class ServerContext:
    """The web node's shared parts. ``engine`` is the node's own search index, kept in
    step with the store's change log by a background task; ``metrics`` is the registry
    ``/metrics`` exposes (each part registers its own counters on it). ``background``
    says whether this process runs the node's background work (the feed follower, the
    hosted branches' sync sessions): one process of ``union serve --workers N`` does, the
    others only answer requests."""

    federation: Federation
    store: Store
    clock: Clock
    engine: SearchEngine
    metrics: CollectorRegistry = field(default_factory=CollectorRegistry)
    background: bool = True


class Setup(Protocol):
    """A part of the web node: adds its routes (and background tasks) to the app."""

    def __call__(self, app: web.Application, context: ServerContext) -> None: ...


#: Where the application keeps its :class:`ServerContext` (``request.app[CONTEXT]``).
CONTEXT = web.AppKey("context", ServerContext)
