"""The JSON bodies of the API, from the catalogue service's dataclasses (pure). Their
shapes are the schemas of :mod:`union.api.openapi`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from union.catalogue import BadParameter, BranchSummary, SearchPage, WorkDetail

__all__ = ["branches_body", "error_body", "search_body", "work_body"]


def error_body(status: int, code: str, message_id: str, message_en: str,
               parameter: str | None = None) -> dict[str, Any]:
    """An error: a stable ``code`` and the message in Bahasa Indonesia, then English."""
    error: dict[str, Any] = {"status": status, "code": code}
    if parameter is not None:
        error["parameter"] = parameter
    error["message"] = {"id": message_id, "en": message_en}
    return {"error": error}


def bad_parameter_body(problem: BadParameter) -> dict[str, Any]:
    """A 400 answer naming the parameter."""
    return error_body(400, "bad_parameter", problem.message_id, problem.message_en,
                      problem.parameter)


def search_body(page: SearchPage) -> dict[str, Any]:
    """A page of search results with its facets and paging."""
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "page": page.page,
        "pages": page.pages,
        "results": [
            {**result.fields, "id": result.id, "title": result.title,
             "highlights": [list(span) for span in result.highlights]}
            for result in page.results
        ],
        "facets": {
            name: [{"value": v.value, "count": v.count, "label": v.label} for v in values]
            for name, values in page.facets.items()
        },
        "corrections": {word: list(words) for word, words in page.corrections.items()},
    }


def work_body(detail: WorkDetail) -> dict[str, Any]:
    """A work's detail view."""
    evidence = detail.evidence
    return {
        "id": detail.id,
        "requested_id": detail.requested_id,
        "merged_from": list(detail.merged_from),
        "status": detail.status,
        "record": detail.record,
        "members": [list(member) for member in detail.members],
        "holdings": [
            {**asdict(holding), "local_ids": list(holding.local_ids),
             "items": [dict(item) for item in holding.items]}
            for holding in detail.holdings
        ],
        "evidence": None if evidence is None else {
            "matches": [asdict(match) for match in evidence.matches],
            "overrides": [{"kind": kind, "a": a, "b": b} for kind, a, b in evidence.overrides],
            "held_apart": evidence.held_apart,
        },
    }


def branches_body(branches: list[BranchSummary]) -> dict[str, Any]:
    """Every branch with its counts."""
    return {"branches": [asdict(branch) for branch in branches]}
