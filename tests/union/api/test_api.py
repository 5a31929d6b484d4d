"""The JSON API over HTTP, on a real server on 127.0.0.1 over the harvested demo
catalogue, called with aiohttp's client."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.union.catalogue.demo import DemoCatalogue
from union.search.analysis import analyze_text


async def get(url: str, **params: Any) -> tuple[int, dict[str, Any], Any]:
    """Status, headers and JSON body of a GET; list values repeat the parameter."""
    pairs = [(k, v) for k, values in params.items()
             for v in (values if isinstance(values, list) else [values])]
    async with aiohttp.ClientSession() as session, session.get(url, params=pairs) as response:
        assert response.content_type == "application/json"
        return response.status, dict(response.headers), await response.json()


async def test_search_answers_total_results_and_facets(api_url: str) -> None:
    status, _, body = await get(f"{api_url}/api/search", q="sejarah")
    assert status == 200
    assert body["total"] > 0 and 0 < len(body["results"]) <= 20
    first = body["results"][0]
    assert isinstance(first["id"], int) and first["title"]
    assert set(body["facets"]) == {"branch", "available", "language", "format", "subject",
                                   "year", "local"}
    assert body["facets"]["branch"][0]["label"].startswith("Perpustakaan")


async def test_search_filters_by_repeated_branches(api_url: str) -> None:
    _, _, every = await get(f"{api_url}/api/search", facets="branch")
    counts = {f["value"]: f["count"] for f in every["facets"]["branch"]}
    _, _, two = await get(f"{api_url}/api/search", branch=["DESA2", "DESA3"], per_page=100)
    assert max(counts["DESA2"], counts["DESA3"]) <= two["total"]
    assert two["total"] <= counts["DESA2"] + counts["DESA3"]
    assert all({"DESA2", "DESA3"} & set(r["branches"]) for r in two["results"])


async def test_search_pages_through_the_matches(api_url: str) -> None:
    _, _, first = await get(f"{api_url}/api/search", per_page=10, facets="none")
    _, _, second = await get(f"{api_url}/api/search", per_page=10, page=2, facets="none")
    assert (first["page"], second["page"]) == (1, 2)
    assert second["offset"] == 10 and first["facets"] == {}
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert first["pages"] == -(-first["total"] // 10)


async def test_search_sorts_by_title(api_url: str) -> None:
    _, _, body = await get(f"{api_url}/api/search", sort="title", per_page=100, facets="none")
    keys = [analyze_text(r["title"]).sort_text for r in body["results"]]
    assert len(keys) == 100 and keys == sorted(keys)


async def test_a_bad_parameter_answers_400_naming_it_in_both_languages(api_url: str) -> None:
    status, _, body = await get(f"{api_url}/api/search", sort="popular")
    assert status == 400
    error = body["error"]
    assert (error["status"], error["code"], error["parameter"]) == (400, "bad_parameter", "sort")
    assert list(error["message"]) == ["id", "en"]
    assert "harus" in error["message"]["id"] and "must" in error["message"]["en"]


async def test_a_work_answers_its_record_members_and_holdings(
        api_url: str, demo: DemoCatalogue) -> None:
    _, _, found = await get(f"{api_url}/api/search", branch=["DESA1"], facets="none", per_page=50)
    shared = next(r for r in found["results"] if len(r["branches"]) > 1)
    status, headers, work = await get(f"{api_url}/api/works/{shared['id']}")
    assert status == 200 and "Content-Location" not in headers
    assert (work["id"], work["requested_id"], work["merged_from"]) == (shared["id"],
                                                                        shared["id"], [])
    assert work["record"]["title"] == shared["title"]
    assert {code for code, _ in work["members"]} == set(shared["branches"])
    names = {b.code: b.name for b in demo.federation.branches}
    for holding in work["holdings"]:
        assert holding["name"] == names[holding["code"]]
        assert 0 <= holding["available"] <= holding["copies"]
    assert work["evidence"]["matches"]


async def test_an_unknown_work_answers_404(api_url: str) -> None:
    status, _, body = await get(f"{api_url}/api/works/987654321")
    assert status == 404 and body["error"]["code"] == "not_found"


@pytest.mark.parametrize("work_id", ["abc", "0", "-3", "99999999999999999999"])
async def test_a_malformed_work_id_answers_400(api_url: str, work_id: str) -> None:
    status, _, body = await get(f"{api_url}/api/works/{work_id}")
    assert status == 400 and body["error"]["parameter"] == "id"


async def test_branches_answer_names_kinds_and_counts(api_url: str,
                                                      demo: DemoCatalogue) -> None:
    status, _, body = await get(f"{api_url}/api/branches")
    assert status == 200
    assert [b["code"] for b in body["branches"]] == [b.code for b in demo.federation.branches]
    kota = body["branches"][0]
    assert (kota["kind"], kota["name"]) == ("city", demo.federation.branches[0].name)
    assert kota["works"] > 0 and kota["records"] >= kota["works"]


async def test_the_openapi_document_describes_every_route(api_url: str) -> None:
    status, _, document = await get(f"{api_url}/api/openapi.json")
    assert status == 200 and document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/api/search", "/api/works/{id}", "/api/branches"}
    search = document["paths"]["/api/search"]["get"]
    branch = next(p for p in search["parameters"] if p["name"] == "branch")
    assert branch["schema"]["items"]["enum"] == ["KOTA", "DESA1", "DESA2", "DESA3"]
