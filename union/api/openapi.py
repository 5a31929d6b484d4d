"""The OpenAPI 3 document of the JSON API, written by hand from the catalogue service's
rules (pure). Limits and vocabularies come from the code that enforces them, and the
branch codes from the federation, so the document cannot drift from what is checked."""

from __future__ import annotations

from typing import Any

from union.catalogue.search import (
    DEFAULT_PER_PAGE,
    MAX_FACET_LIMIT,
    MAX_OFFSET,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_YEAR,
    NO_FACETS,
    SORTS,
    VALUE_PATTERN,
    YEAR_PATTERN,
)
from union.catalogue.works import MAX_WORK_ID
from union.config import Federation
from union.search.fields import FACETS

__all__ = ["openapi_document"]

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_INTEGER = {"type": "integer"}


def _object(properties: dict[str, Any], *, extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties,
            "additionalProperties": extra}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _query(name: str, description: str, schema: dict[str, Any], *,
           repeat: bool = False) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False,
                 "description": description, "schema": schema}
    if repeat:
        parameter |= {"schema": _array(schema), "style": "form", "explode": True}
    return parameter


def _parameters(branches: list[str]) -> list[dict[str, Any]]:
    value = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": VALUE_PATTERN}
    return [
        _query("q", "Kueri / query (blank: everything), e.g. `pengarang:toer bumi`",
               {"type": "string", "maxLength": 1000}),
        _query("page", "Halaman / page, from 1 (offset/limit win when given)",
               {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}),
        _query("per_page", f"Hasil per halaman / results per page (default {DEFAULT_PER_PAGE})",
               {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}),
        _query("offset", "Hasil pertama / first result, from 0 (wins over page)",
               {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}),
        _query("limit", "Jumlah hasil / how many results (wins over per_page)",
               {"type": "integer", "minimum": 0, "maximum": MAX_PER_PAGE}),
        _query("sort", "Urutan / order: relevance, year (newest first), year_asc, title",
               {"type": "string", "enum": list(SORTS)}),
        _query("branch", "Cabang pemilik / holding branch", {"type": "string",
               "enum": branches}, repeat=True),
        _query("available", "Tersedia di rak / on the shelf: `true` (any branch) or a branch",
               {"type": "string", "enum": ["true", *branches]}, repeat=True),
        _query("language", "Kode bahasa MARC / MARC language code (ind)", value, repeat=True),
        _query("format", "Bentuk / format (book, serial, ...)", value, repeat=True),
        _query("subject", "Subjek utama (Indonesia) atau lengkap (Indonesia -- Sejarah) / "
               "main heading or full subject heading", value, repeat=True),
        _query("year", "Tahun atau rentang / year or range: 1998, 1970-1999, -1969, 2010-",
               {"type": "string", "pattern": YEAR_PATTERN}, repeat=True),
        _query("year_from", "Tahun terbit dari / published from (inclusive)",
               {"type": "integer", "minimum": 0, "maximum": MAX_YEAR}),
        _query("year_to", "Tahun terbit sampai / published up to (inclusive)",
               {"type": "integer", "minimum": 0, "maximum": MAX_YEAR}),
        _query("local", "Koleksi lokal / about the federation's region",
               {"type": "string", "enum": ["true", "false"]}),
        {"name": "facets", "in": "query", "required": False, "style": "form",
         "explode": False, "description": "Facet yang dihitung / facets to count (default all; "
         f"{NO_FACETS}: none)",
         "schema": {**_array({"type": "string", "enum": [*FACETS, NO_FACETS]}),
                    "minItems": 1}},
        _query("facet_limit", "Nilai per facet / values per facet (default 20)",
               {"type": "integer", "minimum": 1, "maximum": MAX_FACET_LIMIT}),
    ]


def _error() -> dict[str, Any]:
    message = _object({"id": _STRING, "en": _STRING})
    error = _object({"status": _INTEGER, "code": _STRING, "message": message})
    error["properties"]["parameter"] = _STRING
    return _object({"error": error})


def _response(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _schemas() -> dict[str, Any]:
    result = _object({
        "id": {"type": "integer", "minimum": 1},
        "title": _STRING,
        "highlights": _array({**_array(_INTEGER), "minItems": 2, "maxItems": 2}),
    }, extra=True)
    facet_value = _object({"value": _STRING, "count": {"type": "integer", "minimum": 0},
                           "label": _NULLABLE_STRING})
    search = _object({
        "total": {"type": "integer", "minimum": 0},
        "offset": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 0},
        "results": _array({"$ref": "#/components/schemas/SearchResult"}),
        "facets": {"type": "object", "properties": {name: _array(facet_value)
                                                    for name in FACETS},
                   "additionalProperties": False},
        "corrections": {"type": "object", "additionalProperties": _array(_STRING)},
    })
    pair = {**_array(_STRING), "minItems": 2, "maxItems": 2}
    holdings = _object({
        "code": _STRING, "name": _NULLABLE_STRING, "kind": _NULLABLE_STRING,
        "district": _NULLABLE_STRING, "local_ids": _array(_STRING),
        "items": _array({"type": "object"}),
        "available": {"type": "integer", "minimum": 0},
        "copies": {"type": "integer", "minimum": 0},
    })
    match = _object({"a": _STRING, "b": _STRING, "score": {"type": "number"},
                     "reason": _STRING, "agreeing": _array(_STRING)})
    evidence = _object({
        "matches": _array(match),
        "overrides": _array(_object({"kind": {"type": "string", "enum": ["same", "never"]},
                                     "a": _STRING, "b": _STRING})),
        "held_apart": {"type": "integer", "minimum": 0},
    })
    work = _object({
        "id": {"type": "integer", "minimum": 1},
        "requested_id": {"type": "integer", "minimum": 1},
        "merged_from": _array(_INTEGER),
        "status": {"type": "string", "enum": ["live"]},
        "record": {"type": "object", "required": ["title", "members", "holdings"],
                   "properties": {"title": _STRING}},
        "members": _array(pair),
        "holdings": _array(holdings),
        "evidence": evidence,
    })
    branch = _object({
        "code": _STRING, "name": _STRING, "kind": _STRING, "district": _NULLABLE_STRING,
        "works": {"type": "integer", "minimum": 0},
        "records": {"type": "integer", "minimum": 0},
    })
    return {
        "SearchResult": result,
        "SearchResponse": search,
        "Work": work,
        "BranchList": _object({"branches": _array(branch)}),
        "Error": _error(),
    }


def openapi_document(federation: Federation) -> dict[str, Any]:
    """The API's OpenAPI 3.0 document for this federation (its branch codes are the
    values the branch filters accept)."""
    branches = [branch.code for branch in federation.branches]
    work_id = {"name": "id", "in": "path", "required": True,
               "description": "Nomor karya / work id",
               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_WORK_ID}}
    bad = _response("Parameter salah / bad parameter", "Error")
    # A request line longer than the HTTP server takes (8,190 bytes) is refused by aiohttp
    # itself before the API sees it, in plain text.
    bad["content"]["text/plain"] = {"schema": {"type": "string"}}
    bad["description"] += (" (baris permintaan terlalu panjang: teks biasa"
                           " / request line too long: plain text)")
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"{federation.union.name} — API",
            "version": "1",
            "description": "Katalog induk: cari karya, lihat eksemplar per cabang. / "
                           "Union catalogue: search works, see copies per branch.",
        },
        "paths": {
            "/api/search": {"get": {
                "operationId": "search",
                "summary": "Cari karya / search works",
                "parameters": _parameters(branches),
                "responses": {"200": _response("Hasil / results", "SearchResponse"),
                              "400": bad},
            }},
            "/api/works/{id}": {"get": {
                "operationId": "getWork",
                "summary": "Satu karya / one work",
                "description": "Nomor karya yang telah digabung menjawab dengan karya "
                               "penggantinya (id, requested_id, merged_from; header "
                               "Content-Location). / A merged-away id answers with its "
                               "surviving work (id, requested_id, merged_from; "
                               "Content-Location header).",
                "parameters": [work_id],
                "responses": {
                    "200": {**_response("Karya / the work", "Work"),
                            "headers": {"Content-Location": {
                                "description": "URL karya pengganti / survivor's URL, "
                                               "when the id asked for was merged",
                                "schema": _STRING}}},
                    "400": bad,
                    "404": _response("Tidak ada / no such work", "Error"),
                    "410": _response("Dihapus / withdrawn", "Error"),
                },
            }},
            "/api/branches": {"get": {
                "operationId": "listBranches",
                "summary": "Cabang / branches",
                "responses": {"200": _response("Cabang / branches", "BranchList")},
            }},
        },
        "components": {"schemas": _schemas()},
    }
