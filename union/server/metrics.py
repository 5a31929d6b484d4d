"""The web node's Prometheus metrics and the ``/metrics`` route.

Harvest counters are labelled by branch and fed by the scheduler; on start they are
seeded from the store's harvest runs, so a restart does not reset what a scrape sees to
zero (Prometheus' ``rate()`` copes with either). Search latency and HTTP requests are
timed by a middleware around every request.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from union.harvest import SourceSummary
from union.server.context import ServerContext
from union.store.models import BranchRow, HarvestRunRow, SourceRow

__all__ = ["METRICS", "SEARCH_PATHS", "NodeMetrics", "metrics_middleware", "setup"]

#: Paths whose requests are searches (the JSON API's and the HTML catalogue's).
SEARCH_PATHS = frozenset({"/api/search", "/cari"})
#: The outcomes of harvested records, as :class:`union.ingest.Counts` names them.
OUTCOMES = ("new", "updated", "deleted", "unchanged")
_SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_HARVEST_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600)


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """Every metric the node itself keeps, registered on one registry."""

    registry: CollectorRegistry
    harvested: Counter
    skipped: Counter
    errors: Counter
    runs: Counter
    harvest_seconds: Histogram
    search_seconds: Histogram
    requests: Counter

    @classmethod
    def register(cls, registry: CollectorRegistry) -> NodeMetrics:
        """Create the node's metrics on ``registry``."""
        return cls(
            registry=registry,
            harvested=Counter("union_harvest_records", "Records harvested, by outcome",
                              ["branch", "outcome"], registry=registry),
            skipped=Counter("union_harvest_skipped_records",
                            "Records a harvest skipped as unreadable", ["branch"],
                            registry=registry),
            errors=Counter("union_harvest_errors", "Harvests that failed", ["branch"],
                           registry=registry),
            runs=Counter("union_harvest_runs", "Harvests that ended, by status",
                         ["branch", "status"], registry=registry),
            harvest_seconds=Histogram("union_harvest_duration_seconds",
                                      "Duration of scheduled harvests", ["branch"],
                                      buckets=_HARVEST_BUCKETS, registry=registry),
            search_seconds=Histogram("union_search_latency_seconds",
                                     "Time to answer a search request", ["path"],
                                     buckets=_SEARCH_BUCKETS, registry=registry),
            requests=Counter("union_http_requests", "HTTP requests answered",
                             ["route", "method", "status"], registry=registry),
        )

    def harvest_done(self, summary: SourceSummary, seconds: float) -> None:
        """Count a harvest that ended (complete or failed)."""
        code = summary.code
        for outcome in OUTCOMES:
            self.harvested.labels(code, outcome).inc(getattr(summary.counts, outcome))
        self.skipped.labels(code).inc(summary.counts.skipped)
        self.runs.labels(code, summary.status).inc()
        if summary.status != "complete":
            self.errors.labels(code).inc()
        self.harvest_seconds.labels(code).observe(seconds)

    def harvest_failed(self, code: str, seconds: float) -> None:
        """Count a harvest that raised instead of ending with a summary."""
        self.runs.labels(code, "error").inc()
        self.errors.labels(code).inc()
        self.harvest_seconds.labels(code).observe(seconds)

    def seed(self, session: Session, codes: Iterable[str]) -> None:
        """Start the harvest counters from the runs the store has recorded (every branch
        in ``codes`` appears, at zero if it has never been harvested)."""
        for code in codes:
            for outcome in OUTCOMES:
                self.harvested.labels(code, outcome)
            self.skipped.labels(code)
            self.errors.labels(code)
        totals = session.execute(
            select(BranchRow.code, HarvestRunRow.status, func.count(),
                   *(func.coalesce(func.sum(getattr(HarvestRunRow, o)), 0)
                     for o in (*OUTCOMES, "skipped")))
            .join(SourceRow, SourceRow.branch_id == BranchRow.id)
            .join(HarvestRunRow, HarvestRunRow.source_id == SourceRow.id)
            .where(HarvestRunRow.status.in_(("complete", "failed")))
            .group_by(BranchRow.code, HarvestRunRow.status)
        )
        for code, status, runs, *counts, skipped in totals:
            for outcome, count in zip(OUTCOMES, counts, strict=True):
                self.harvested.labels(code, outcome).inc(count)
            self.skipped.labels(code).inc(skipped)
            self.runs.labels(code, status).inc(runs)
            if status == "failed":
                self.errors.labels(code).inc(runs)


#: Where the application keeps its :class:`NodeMetrics`.
METRICS = web.AppKey("metrics", NodeMetrics)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count every request by route and status; time searches."""
    metrics = request.app[METRICS]
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        metrics.requests.labels(route, request.method, str(status)).inc()
        if request.path in SEARCH_PATHS:
            metrics.search_seconds.labels(request.path).observe(time.perf_counter() - started)


def setup(app: web.Application, context: ServerContext) -> None:
    """Add ``/metrics``: everything registered on ``context.metrics`` (the node's own
    metrics and any part's), in Prometheus' text format."""

    async def metrics(_request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(context.metrics),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/metrics", metrics)
