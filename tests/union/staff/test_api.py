"""The staff JSON API over real HTTP: bearer tokens per branch, JSON errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.union.staff.support import browser, new_token, staff_node
from union.config import Federation
from union.staff.tokens import revoke_token
from union.store.engine import Store


async def test_a_branch_token_reads_its_branch(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    token = new_token(branches, "DESA3")
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client, client.get(f"{node.url}/api/staf/DESA3",
                          headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.json()
    assert response.status == 200 and body == {"branch": "DESA3", "token": "uji"}


async def test_a_revoked_token_is_refused(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    token = new_token(branches, "DESA3")
    with branches.write() as session:
        revoke_token(session, "DESA3", token[:12], datetime(2026, 11, 2, tzinfo=UTC))
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client, client.get(f"{node.url}/api/staf/DESA3",
                          headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.json()
    assert response.status == 401 and body["message"] == "unknown or revoked token"


async def test_an_unknown_api_path_is_a_json_404(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    token = new_token(branches, "DESA3")
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client, client.get(f"{node.url}/api/staf/DESA3/tidak-ada",
                          headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.json()
    assert response.status == 404 and body["error"] == "not_found"


async def test_the_harvest_status_of_a_never_harvested_branch_is_empty(
        branches: Store, federation: Federation, tmp_path: Path) -> None:
    token = new_token(branches, "DESA3")
    async with staff_node(branches, federation, tmp_path / "index") as node, \
            browser() as client, client.get(f"{node.url}/api/staf/DESA3/panen",
                          headers={"Authorization": f"Bearer {token}"}) as response:
        body = await response.json()
    assert response.status == 200 and body["live"] == 0 and body["last_run"] is None
