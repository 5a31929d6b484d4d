"""The one rule: staff and tokens of one branch act only for that branch. Checked for every
route of the staff pages and the staff API, read from the applications' own routers, so a
route added later is covered without touching this test."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from aiohttp import web

from tests.union.staff.support import (
    FAST,
    Clock,
    add_staff,
    browser,
    csrf_of,
    new_token,
    sign_in,
    staff_node,
)
from union.config import Federation, load_federation
from union.search.engine import open_engine
from union.server.context import ServerContext
from union.staff.app import api_app, pages_app, sync_service
from union.staff.settings import StaffSettings
from union.staff.signin import PUBLIC
from union.store.engine import Store
from union.sync_node.service import SyncService

Factory = Callable[[ServerContext, StaffSettings, SyncService], web.Application]


def _routes(app_factory: Factory, tmp_path: Path) -> list[tuple[str, str]]:
    federation = load_federation(_config(tmp_path), {})
    context = ServerContext(federation, Store("sqlite://"), Clock(),
                            open_engine("tantivy", tmp_path / "routes-index"))
    app = app_factory(context, FAST, sync_service(context))
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path")
        if path and "{branch}" in path and route.method != "HEAD":
            found.append((route.method, path))
    return found


def _config(tmp_path: Path) -> Path:
    from tests.support.federation import demo_catalogue_federation

    folder = tmp_path / "routes"
    folder.mkdir(exist_ok=True)
    return demo_catalogue_federation(folder)


# Every other path parameter gets a value its pattern accepts: the rule must refuse first.
_SAMPLES = {"section": "masuk", "word": "kirim"}


def _filled(path: str, branch: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: _SAMPLES.get(m.group(1), "x"),
                  path.replace("{branch}", branch))


def test_every_branch_page_and_api_route_names_the_branch(tmp_path: Path) -> None:
    pages = _routes(pages_app, tmp_path)
    api = _routes(api_app, tmp_path)
    for path in ("/{branch}/", "/{branch}/panen", "/{branch}/permintaan/masuk",
                 "/{branch}/permintaan/keluar", "/{branch}/ambil", "/{branch}/kirim-terima",
                 "/{branch}/mutasi", "/{branch}/konflik"):
        assert ("GET", path) in pages
    for path in ("/{branch}/permintaan/keluar", "/{branch}/mutasi", "/{branch}/konflik"):
        assert ("POST", path) in pages and ("POST", path) in api
    assert ("GET", "/{branch}") in api and ("GET", "/{branch}/ambil") in api


async def test_no_page_route_serves_another_branchs_staff(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    add_staff(branches, "DESA1", "sari")
    routes = _routes(pages_app, tmp_path)
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client:
        await sign_in(client, node.url, "DESA1", "sari")
        async with client.get(f"{node.url}/staf/DESA1/") as desk:
            token = csrf_of(await desk.text())
        for method, path in routes:
            url = f"{node.url}/staf{_filled(path, 'DESA2')}"
            async with client.request(method, url, data={"csrf": token},
                                      allow_redirects=False) as response:
                assert response.status == 403, (method, path)
                assert "hanya dapat bertindak untuk DESA1" in await response.text()
            own = f"{node.url}/staf{_filled(path, 'DESA1')}"
            async with client.request(method, own, data={"csrf": token},
                                      allow_redirects=False) as response:
                assert response.status != 403, (method, path)


async def test_no_page_route_serves_a_visitor_without_a_session(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    routes = _routes(pages_app, tmp_path)
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client:
        for method, path in routes:
            url = f"{node.url}/staf{_filled(path, 'DESA1')}"
            async with client.request(method, url, allow_redirects=False) as response:
                assert response.status in (303, 401), (method, path)


async def test_no_api_route_serves_another_branchs_token(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    token = new_token(branches, "DESA1")
    routes = _routes(api_app, tmp_path)
    headers = {"Authorization": f"Bearer {token}"}
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client:
        for method, path in routes:
            url = f"{node.url}/api/staf{_filled(path, 'KOTA')}"
            async with client.request(method, url, headers=headers, json={}) as response:
                assert response.status == 403, (method, path)
                assert (await response.json())["error"] == "forbidden"


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer ukt_not-a-token",
                                           "Basic c2FyaTpyYWhhc2lh"])
async def test_no_api_route_serves_a_request_without_a_valid_token(
        branches: Store, federation: Federation, tmp_path: Path,
        authorization: str | None) -> None:
    routes = _routes(api_app, tmp_path)
    headers = {"Authorization": authorization} if authorization else {}
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client:
        for method, path in routes:
            url = f"{node.url}/api/staf{_filled(path, 'DESA1')}"
            async with client.request(method, url, headers=headers, json={}) as response:
                assert response.status == 401, (method, path)
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                assert (await response.json())["error"] == "unauthorized"


def test_public_resources_are_only_sign_in_and_the_stylesheet() -> None:
    assert frozenset({"staff.sign_in", "staff.sign_in_post", "staff.static"}) == PUBLIC
