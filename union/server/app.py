"""Composing the web node: one aiohttp application from every part's ``setup``.

:data:`PARTS` is the one list of what the node serves; a part is added by importing its
``setup`` and naming it here.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from union.api import setup as api_setup
from union.feed.setup import setup as feed_setup
from union.server import health, metrics
from union.server.context import CONTEXT, ServerContext, Setup
from union.server.health import NODE, NodeState
from union.server.metrics import METRICS, NodeMetrics, metrics_middleware
from union.staff.app import setup as staff_setup
from union.sync_node.http import setup as sync_setup
from union.web import setup as web_setup

__all__ = ["PARTS", "build_app"]

#: What the node serves, by name, in the order the routes are added.
PARTS: tuple[tuple[str, Setup], ...] = (
    ("health", health.setup),
    ("metrics", metrics.setup),
    ("feed", feed_setup),
    ("api", api_setup),
    ("web", web_setup),
    ("sync", sync_setup),
    ("staff", staff_setup),
)


def build_app(
    context: ServerContext,
    node_metrics: NodeMetrics,
    node: NodeState | None = None,
    parts: Sequence[tuple[str, Setup]] = PARTS,
) -> web.Application:
    """The node's application: ``context`` for every part, requests counted and
    searches timed on ``node_metrics``, ``node`` (scheduler, index cursor) for
    ``/healthz``."""
    app = web.Application(middlewares=[metrics_middleware])
    app[CONTEXT] = context
    app[METRICS] = node_metrics
    app[NODE] = node or NodeState()
    for _name, setup in parts:
        setup(app, context)
    return app
