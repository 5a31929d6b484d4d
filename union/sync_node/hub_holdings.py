"""The union holdings as a village agent's staff desk gets them: from the hub, which holds
the works (a village store does not). One small synchronous HTTP call per title request or
answer, made outside any store transaction; the staff desk runs it off the event loop.

    POST /sync/holdings {"branch": CODE, "work": ID}
        -> {"lenders": [{"branch", "available", "distance", "load"}, ...], "copies": [...]}
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from sync.rota import LenderCandidate
from union.sync_node.http import HubError


class HubHoldings:
    """:class:`~union.sync_node.catalogue.UnionHoldings` asked of the hub at ``base_url``."""

    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self._url = base_url.rstrip("/") + "/sync/holdings"
        self._timeout = timeout

    def lenders_for(self, work_id: str, requester: str) -> list[LenderCandidate]:
        """Every branch holding the work, ranked by the hub's view of the union holdings."""
        try:
            return [
                LenderCandidate(
                    branch=str(c["branch"]),
                    available=int(c["available"]),
                    distance=float(c["distance"]),
                    load=int(c["load"]),
                )
                for c in self._ask(work_id, requester)["lenders"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise HubError(f"/sync/holdings: malformed answer: {exc!r}") from exc

    def copies_of(self, work_id: str, branch: str) -> list[str]:
        """``branch``'s copies of the work, as the union holdings list them."""
        copies = self._ask(work_id, branch).get("copies")
        if not isinstance(copies, list):
            raise HubError("/sync/holdings: no list of copies in the answer")
        return [str(c) for c in copies]

    def _ask(self, work_id: str, branch: str) -> dict[str, Any]:
        body = json.dumps({"branch": branch, "work": work_id}).encode("utf-8")
        request = urllib.request.Request(
            self._url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                data = json.load(response)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise HubError(
                f"hub tidak terjangkau / hub unreachable ({self._url}): {exc}"
            ) from exc
        if not isinstance(data, dict):
            raise HubError("/sync/holdings: the hub answered something other than an object")
        return data
